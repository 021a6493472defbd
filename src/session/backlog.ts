/**
 * Retained messages a session still owes its new subscriptions (MQTT 5.0 §3.3.1.3): references to
 * the store's messages, not copies, one segment per matching filter, sent by Session.drain as the
 * inflight window and the socket allow. A live delivery must not overtake a stored copy that is
 * still waiting, so each segment remembers how many queued deliveries were ahead of it when it was
 * added; the session's queue counts what it has handed out (DeliveryQueue.taken).
 */
import type { QoS } from "../protocol/packets.ts";
import type { Message } from "./message.ts";

/** The retained messages one filter matched, and how far delivery got. */
export interface BacklogSegment {
  /** The RetainedStore.match result itself (owned by the segment, never copied). */
  readonly msgs: Message[];
  /** Next message to send. */
  pos: number;
  /** QoS granted to the subscription: each copy goes at min(stored QoS, granted) [MQTT-3.8.4-8]. */
  readonly granted: QoS;
  /** v5 Subscription Identifier of the subscription, or null. */
  readonly subIds: number[] | null;
  /** The segment goes out once the queue has handed out this many deliveries (arrival order). */
  readonly after: number;
}

/** A session's FIFO of retained segments, bounded in entries (config.maxRetainedBacklog). */
export class RetainedBacklog {
  private segments: BacklogSegment[] = [];
  private head = 0;
  /** Messages still owed, over all segments. */
  size = 0;

  /**
   * Appends what fits under `limit` entries; returns how many messages did not fit (the caller
   * counts and logs them).
   */
  add(msgs: Message[], granted: QoS, subIds: number[] | null, after: number, limit: number): number {
    const room = Math.max(0, limit - this.size);
    const over = msgs.length > room ? msgs.length - room : 0;
    if (over > 0) msgs.length = room;
    if (msgs.length === 0) return over;
    this.segments.push({ msgs, pos: 0, granted, subIds, after });
    this.size += msgs.length;
    return over;
  }

  /** The segment whose turn it is once the queue has handed out `taken` deliveries, else null. */
  ready(taken: number): BacklogSegment | null {
    const seg = this.segments[this.head];
    return seg !== undefined && taken >= seg.after ? seg : null;
  }

  /** Takes the next message of `seg` (the one `ready` returned). */
  take(seg: BacklogSegment): Message {
    const msg = seg.msgs[seg.pos++];
    this.size--;
    if (seg.pos === seg.msgs.length) {
      this.segments[this.head++] = undefined as unknown as BacklogSegment; // its references go with it
      if (this.head === this.segments.length) this.clear();
    }
    return msg;
  }

  /** Forgets everything (clean start, session end). */
  clear(): void {
    this.segments = [];
    this.head = 0;
    this.size = 0;
  }
}
