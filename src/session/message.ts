/**
 * A PUBLISH the broker keeps beyond the socket chunk it arrived in (queued, in flight, retained,
 * will), and the `Publication` interface routing works with: a live publish still in decoder memory
 * or a stored message, rendered on demand for a protocol level and flag set.
 */
import { PropertyId, type QoS } from "../protocol/packets.ts";
import { buildPublish, type PublishParts } from "../protocol/wire.ts";
import { findProperty } from "../protocol/props.ts";

/** A stored application message: its own copies of topic, v5 properties and payload. */
export interface Message extends PublishParts {
  /** QoS as published. */
  qos: QoS;
  /** Retain flag as published. */
  retain: boolean;
  /** Subscriber id of the publisher's session (for No Local), -1 for none (wills, embedders). */
  origin: number;
  /** v5 Message Expiry: when it expires (ms), absent = never. Set by stampExpiry. */
  expiresAt?: number;
  /** Offset in `props` of the Message Expiry Interval's 4-byte value. */
  expiryOffset?: number;
}

/** Records when a message with a Message Expiry Interval property expires (MQTT 5.0 §3.3.2.3.3). */
export function stampExpiry(msg: Message, nowMs: number): Message {
  const at = findProperty(msg.props, PropertyId.MessageExpiryInterval);
  if (at < 0) return msg;
  const p = msg.props;
  const seconds = ((p[at] << 24) >>> 0) + (p[at + 1] << 16) + (p[at + 2] << 8) + p[at + 3];
  msg.expiresAt = nowMs + seconds * 1000;
  msg.expiryOffset = at;
  return msg;
}

/** True once a message's expiry interval has passed: it is no longer delivered [MQTT-3.3.2-5]. */
export function isExpired(msg: Message, nowMs: number): boolean {
  return msg.expiresAt !== undefined && nowMs >= msg.expiresAt;
}

/** The parts to send at `nowMs`: the expiry interval lowered by the time waited [MQTT-3.3.2-6]. */
export function partsAt(msg: Message, nowMs: number): PublishParts {
  if (msg.expiresAt === undefined || msg.expiryOffset === undefined) return msg;
  const left = Math.max(0, Math.ceil((msg.expiresAt - nowMs) / 1000));
  const props = msg.props.slice();
  const at = msg.expiryOffset;
  props[at] = left >>> 24;
  props[at + 1] = (left >>> 16) & 0xff;
  props[at + 2] = (left >>> 8) & 0xff;
  props[at + 3] = left & 0xff;
  return { topic: msg.topic, props, payload: msg.payload };
}

/** Something routable: renders PUBLISH bytes for one delivery. */
export interface Publication {
  readonly qos: QoS;
  readonly retain: boolean;
  readonly origin: number;
  /**
   * Tells this publication apart from every other routed in the process (its topic is the same in
   * all its renders), so per-topic work done for one delivery serves its others; -1 = none.
   */
  readonly serial: number;
  /** A stable copy (materialised once, on first need: QoS > 0 deliveries, queues, retain). */
  message(): Message;
  /**
   * PUBLISH bytes for `level` with fixed-header `flags` (dup/qos/retain) and `subIds` (v5).
   * The packet id is left for the caller to patch; the bytes are valid until the next render.
   */
  render(level: number, flags: number, subIds: number[] | null): Uint8Array;
}

let lastSerial = 0;

/** The next Publication.serial (a float count: never wraps round to an old one). */
export function nextPublicationSerial(): number {
  return ++lastSerial;
}

/** A stored message as a Publication (rendered in JS from its parts, expiry brought up to date). */
export class StoredPublication implements Publication {
  readonly serial = nextPublicationSerial();
  constructor(readonly msg: Message, private readonly now: () => number = Date.now) {}
  get qos(): QoS { return this.msg.qos; }
  get retain(): boolean { return this.msg.retain; }
  get origin(): number { return this.msg.origin; }
  message(): Message { return this.msg; }
  render(level: number, flags: number, subIds: number[] | null): Uint8Array {
    return buildPublish(partsAt(this.msg, this.now()), flags, 0, level, subIds);
  }
}

/** Fixed-header flags of a PUBLISH. */
export function publishFlags(qos: number, retain: boolean, dup = false): number {
  return (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0);
}
