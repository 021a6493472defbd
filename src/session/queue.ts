/**
 * A session's FIFO of deliveries waiting for a connection, a free slot in the inflight window, or
 * a relieved socket: QoS 1/2, and QoS 0 only while a retained backlog is ahead of them. Bounded:
 * the owner decides what to do when `push` refuses.
 */
import type { QoS } from "../protocol/packets.ts";
import type { Message } from "./message.ts";

/** One pending delivery: the message and what this subscriber gets. */
export interface Delivery {
  msg: Message;
  /** Effective QoS (min of published and granted). */
  qos: QoS;
  /** Retain flag to send. */
  retain: boolean;
  /** v5 subscription identifiers of the matching subscriptions, or null. */
  subIds: number[] | null;
  /** Its outbound entry in storage (a stored session's QoS 1/2 delivery), 0 = not stored. */
  storeSeq: number;
}

/**
 * Bytes of queued messages across every session of a broker (config.maxQueuedBytes), shared by
 * their queues. A delivery counts its message's topic, properties and payload, so a message
 * queued for N sessions counts N times: the bound is on what the queues could make the broker
 * send, and it errs on the safe side for memory.
 */
export interface QueueBytes {
  used: number;
  /** 0 = no limit. */
  limit: number;
  /** Counts what the limit dropped (BrokerStats: QoS 0 evicted to make room, and refusals). */
  readonly stats: { droppedQueueBytes: number };
}

/** What push() did. */
export const PushResult = { Queued: 0, QueueFull: 1, BytesFull: 2 } as const;

/** Bytes a delivery holds. */
function deliveryBytes(d: Delivery): number {
  const m = d.msg;
  return m.topic.length + m.props.length + m.payload.length;
}

/** Array-backed FIFO with a moving head (amortised O(1) shift, compacted as it drains). */
export class DeliveryQueue {
  private items: Delivery[] = [];
  private head = 0;
  /** Deliveries handed out by shift() since the last clear (the backlog orders itself by it). */
  taken = 0;
  /** QoS 0 deliveries queued: later QoS 0 ones queue behind them rather than overtake. */
  qos0 = 0;

  constructor(private readonly limit: number, private readonly bytes: QueueBytes) {}

  /** Queued deliveries. */
  get length(): number {
    return this.items.length - this.head;
  }

  /**
   * Appends, unless the queue already holds `limit` deliveries (QueueFull) or the broker's queues
   * hold maxQueuedBytes: then this session's oldest QoS 0 deliveries make room, and when they
   * cannot, nothing is stored (BytesFull).
   */
  push(d: Delivery): number {
    if (this.length >= this.limit) return PushResult.QueueFull;
    const size = deliveryBytes(d), b = this.bytes;
    while (b.limit > 0 && b.used + size > b.limit) {
      if (d.qos === 0 || !this.evictOldestQos0()) return PushResult.BytesFull;
    }
    b.used += size;
    if (d.qos === 0) this.qos0++;
    this.items.push(d);
    return PushResult.Queued;
  }

  /** The oldest delivery, left in place. */
  peek(): Delivery | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Removes and returns the oldest delivery. */
  shift(): Delivery | undefined {
    if (this.head >= this.items.length) return undefined;
    this.taken++;
    const d = this.items[this.head];
    if (d.qos === 0) this.qos0--;
    this.bytes.used -= deliveryBytes(d);
    this.items[this.head++] = undefined as unknown as Delivery;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return d;
  }

  /** Drops the oldest queued QoS 0 delivery (cold: only at the bytes limit); false when none. */
  private evictOldestQos0(): boolean {
    if (this.qos0 === 0) return false;
    for (let i = this.head; i < this.items.length; i++) {
      const d = this.items[i];
      if (d.qos !== 0) continue;
      this.items.splice(i, 1);
      this.qos0--;
      this.bytes.used -= deliveryBytes(d);
      this.bytes.stats.droppedQueueBytes++;
      return true;
    }
    return false;
  }

  /** What is still queued, oldest first (cold path: the session is ending). */
  drainAll(): Delivery[] {
    return this.items.slice(this.head);
  }

  /** Drops everything. */
  clear(): void {
    for (let i = this.head; i < this.items.length; i++) this.bytes.used -= deliveryBytes(this.items[i]);
    this.items = [];
    this.head = 0;
    this.taken = 0;
    this.qos0 = 0;
  }
}
