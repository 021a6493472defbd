/**
 * Outbound QoS 1/2 messages sent and not yet acknowledged, keyed by the packet id we chose.
 * Re-sent in send order [MQTT-4.4.0-1].
 *
 * Ids are handed out round-robin from a table indexed by packet id that grows (doubling, up to
 * the 65535 ids there are) whenever it is half full: an ack is one array read and write, and a
 * free id is found within a step or two. A session's table is as large as its busiest window.
 */
import type { QoS } from "../protocol/packets.ts";
import type { Delivery } from "./queue.ts";
import type { Message } from "./message.ts";

/**
 * One unacknowledged outbound PUBLISH (or, once PUBREC arrived, PUBREL): the delivery itself
 * plus its packet id, one object per message in flight.
 */
export interface InflightEntry extends Delivery {
  readonly packetId: number;
  /** QoS 2: PUBREC received and PUBREL sent; waiting for PUBCOMP. */
  released: boolean;
  /** Send order. */
  readonly seq: number;
}

/** Packet ids are 1..65535 [MQTT-2.3.1-1]. */
const MAX_PACKET_ID = 0xffff;
/** Initial table: ids 1..15. */
const INITIAL_SLOTS = 16;

/** The inflight window of one session. */
export class InflightWindow {
  /** Index = packet id (0 unused). */
  private slots: Array<InflightEntry | undefined> = new Array(INITIAL_SLOTS).fill(undefined);
  private count = 0;
  private nextId = 1;
  private seq = 0;

  /** Messages in flight. */
  get size(): number {
    return this.count;
  }

  /** Takes an unused packet id for the delivery [MQTT-2.3.1-2] and records it. */
  add(msg: Message, qos: QoS, retain: boolean, subIds: number[] | null, storeSeq = 0): InflightEntry {
    if (this.count * 2 >= this.slots.length - 1 && this.slots.length <= MAX_PACKET_ID) this.grow();
    const slots = this.slots, top = slots.length - 1;
    let id = this.nextId;
    while (slots[id] !== undefined) id = id >= top ? 1 : id + 1;
    this.nextId = id >= top ? 1 : id + 1;
    const entry: InflightEntry = { msg, qos, retain, subIds, storeSeq, packetId: id, released: false, seq: this.seq++ };
    slots[id] = entry;
    this.count++;
    return entry;
  }

  /**
   * Puts back an entry restored from storage under its original packet id (the client may still
   * acknowledge it [MQTT-4.4.0-1]); false when the id is taken (a corrupt store: the caller queues it).
   */
  restore(msg: Message, qos: QoS, retain: boolean, subIds: number[] | null, storeSeq: number, packetId: number, released: boolean): boolean {
    if (packetId < 1 || packetId > MAX_PACKET_ID) return false;
    while (packetId >= this.slots.length) this.grow();
    if (this.slots[packetId] !== undefined) return false;
    this.slots[packetId] = { msg, qos, retain, subIds, storeSeq, packetId, released, seq: this.seq++ };
    this.count++;
    return true;
  }

  /** The entry for `packetId`, if in flight. */
  get(packetId: number): InflightEntry | undefined {
    return packetId < this.slots.length ? this.slots[packetId] : undefined;
  }

  /** Forgets `packetId`; true when it was in flight. */
  delete(packetId: number): boolean {
    if (this.get(packetId) === undefined) return false;
    this.slots[packetId] = undefined;
    this.count--;
    return true;
  }

  /** Entries in send order (a copy: re-sending may not change the window, but it is cold). */
  values(): InflightEntry[] {
    const out: InflightEntry[] = [];
    for (const e of this.slots) if (e !== undefined) out.push(e);
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Drops everything. */
  clear(): void {
    this.slots = new Array(INITIAL_SLOTS).fill(undefined);
    this.count = 0;
    this.nextId = 1;
  }

  /** Doubles the table (entries keep their ids). */
  private grow(): void {
    const n = Math.min(this.slots.length * 2, MAX_PACKET_ID + 1);
    const slots = new Array<InflightEntry | undefined>(n).fill(undefined);
    for (let i = 0; i < this.slots.length; i++) slots[i] = this.slots[i];
    this.slots = slots;
  }
}
