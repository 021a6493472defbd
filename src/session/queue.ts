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

/** Array-backed FIFO with a moving head (amortised O(1) shift, compacted as it drains). */
export class DeliveryQueue {
  private items: Delivery[] = [];
  private head = 0;
  /** Deliveries handed out by shift() since the last clear (the backlog orders itself by it). */
  taken = 0;
  /** QoS 0 deliveries queued: later QoS 0 ones queue behind them rather than overtake. */
  qos0 = 0;

  constructor(private readonly limit: number) {}

  /** Queued deliveries. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends; false (nothing stored) when the queue already holds `limit` deliveries. */
  push(d: Delivery): boolean {
    if (this.length >= this.limit) return false;
    if (d.qos === 0) this.qos0++;
    this.items.push(d);
    return true;
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
    this.items[this.head++] = undefined as unknown as Delivery;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return d;
  }

  /** What is still queued, oldest first (cold path: the session is ending). */
  drainAll(): Delivery[] {
    return this.items.slice(this.head);
  }

  /** Drops everything. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.taken = 0;
    this.qos0 = 0;
  }
}
