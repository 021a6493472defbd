/**
 * Outbound QoS 1/2 messages sent and not yet acknowledged, keyed by the packet id we chose.
 * Insertion order is send order, which is the order they are re-sent in [MQTT-4.4.0-1].
 */
import type { Delivery } from "./queue.ts";

/** One unacknowledged outbound PUBLISH (or, once PUBREC arrived, PUBREL). */
export interface InflightEntry {
  readonly packetId: number;
  readonly delivery: Delivery;
  /** QoS 2: PUBREC received and PUBREL sent; waiting for PUBCOMP. */
  released: boolean;
}

/** Packet ids are 1..65535 [MQTT-2.3.1-1]. */
const MAX_PACKET_ID = 0xffff;

/** The inflight window of one session. */
export class InflightWindow {
  private readonly entries = new Map<number, InflightEntry>();
  private nextId = 1;

  /** Messages in flight. */
  get size(): number {
    return this.entries.size;
  }

  /** Takes an unused packet id for `delivery` [MQTT-2.3.1-2] and records it. */
  add(delivery: Delivery): InflightEntry {
    let id = this.nextId;
    while (this.entries.has(id)) id = id === MAX_PACKET_ID ? 1 : id + 1;
    this.nextId = id === MAX_PACKET_ID ? 1 : id + 1;
    const entry: InflightEntry = { packetId: id, delivery, released: false };
    this.entries.set(id, entry);
    return entry;
  }

  /** The entry for `packetId`, if in flight. */
  get(packetId: number): InflightEntry | undefined {
    return this.entries.get(packetId);
  }

  /** Forgets `packetId`; true when it was in flight. */
  delete(packetId: number): boolean {
    return this.entries.delete(packetId);
  }

  /** Entries in send order. */
  values(): IterableIterator<InflightEntry> {
    return this.entries.values();
  }

  /** Drops everything. */
  clear(): void {
    this.entries.clear();
  }
}
