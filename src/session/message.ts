/**
 * A PUBLISH the broker keeps beyond the socket chunk it arrived in (queued, in flight, retained,
 * will), and the `Publication` interface routing works with: a live publish still in decoder memory
 * or a stored message, rendered on demand for a protocol level and flag set.
 */
import type { QoS } from "../protocol/packets.ts";
import { buildPublish, type PublishParts } from "../broker/wire.ts";

/** A stored application message: its own copies of topic, v5 properties and payload. */
export interface Message extends PublishParts {
  /** QoS as published. */
  qos: QoS;
  /** Retain flag as published. */
  retain: boolean;
  /** Subscriber id of the publisher's session (for No Local), -1 for none (wills, embedders). */
  origin: number;
}

/** Something routable: renders PUBLISH bytes for one delivery. */
export interface Publication {
  readonly qos: QoS;
  readonly retain: boolean;
  readonly origin: number;
  /** A stable copy (materialised once, on first need: QoS > 0 deliveries, queues, retain). */
  message(): Message;
  /**
   * PUBLISH bytes for `level` with fixed-header `flags` (dup/qos/retain) and `subIds` (v5).
   * The packet id is left for the caller to patch; the bytes are valid until the next render.
   */
  render(level: number, flags: number, subIds: number[] | null): Uint8Array;
}

/** A stored message as a Publication (rendered in JS from its parts). */
export class StoredPublication implements Publication {
  constructor(readonly msg: Message) {}
  get qos(): QoS { return this.msg.qos; }
  get retain(): boolean { return this.msg.retain; }
  get origin(): number { return this.msg.origin; }
  message(): Message { return this.msg; }
  render(level: number, flags: number, subIds: number[] | null): Uint8Array {
    return buildPublish(this.msg, flags, 0, level, subIds);
  }
}

/** Fixed-header flags of a PUBLISH. */
export function publishFlags(qos: number, retain: boolean, dup = false): number {
  return (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0);
}
