/**
 * Small, fixed-shape packets and PUBLISH re-assembly from stored parts, written straight into bytes.
 *
 * The WASM encoder handles the variable, cold packets (CONNACK, SUBACK, …) and live PUBLISH variants
 * built from the decoder's memory; these helpers cover what is cheaper as a few byte stores: acks,
 * PINGRESP, and PUBLISH packets rebuilt from a stored message (queued, in flight, retained) whose
 * bytes no longer live in WASM memory. Topics stay bytes throughout.
 *
 *   PUBLISH: [type<<4|dup<<3|qos<<1|retain] [remaining length varint] [topic len u16] [topic]
 *            [packet id u16 if qos>0] [v5: props length varint] [v5: props] [payload]
 */
import { PropertyId } from "./packets.ts";

/** Bytes taken by `n` as an MQTT variable byte integer. */
export function varintSize(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}

/** Writes `n` as a variable byte integer at `o`; returns the offset after it. */
export function writeVarint(buf: Uint8Array, o: number, n: number): number {
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    buf[o++] = b;
  } while (n > 0);
  return o;
}

/** The parts of a PUBLISH to assemble: each a view (any backing buffer). */
export interface PublishParts {
  topic: Uint8Array;
  /** v5 property bytes to carry (without length prefix); ignored below level 5. */
  props: Uint8Array;
  payload: Uint8Array;
}

/**
 * Assembles a PUBLISH. `flags` is the low nibble (dup/qos/retain); `subIds` adds v5 Subscription
 * Identifier properties (MQTT 5.0 §3.3.4: one per matching subscription). Returns a fresh buffer
 * (see publishPacketIdOffset / patchPublish to set the packet id later).
 */
export function buildPublish(
  parts: PublishParts, flags: number, packetId: number, level: number, subIds: number[] | null,
): Uint8Array {
  const out = new Uint8Array(publishSize(parts, flags, level, subIds));
  writePublish(out, parts, flags, packetId, level, subIds);
  return out;
}

/** Bytes the PUBLISH that buildPublish / writePublish assemble takes. */
export function publishSize(parts: PublishParts, flags: number, level: number, subIds: number[] | null): number {
  const remaining = publishRemaining(parts, (flags >> 1) & 3, level, subIds);
  return 1 + varintSize(remaining) + remaining;
}

/**
 * Writes the PUBLISH buildPublish would return into `out` (at least publishSize bytes, e.g. a
 * reused scratch buffer for a write that copies at once); returns its length.
 */
export function writePublish(
  out: Uint8Array, parts: PublishParts, flags: number, packetId: number, level: number, subIds: number[] | null,
): number {
  const qos = (flags >> 1) & 3;
  const v5 = level >= 5;
  const remaining = publishRemaining(parts, qos, level, subIds);
  out[0] = 0x30 | (flags & 0x0f);
  let o = writeVarint(out, 1, remaining);
  out[o++] = parts.topic.length >> 8;
  out[o++] = parts.topic.length & 0xff;
  out.set(parts.topic, o);
  o += parts.topic.length;
  if (qos > 0) {
    out[o++] = packetId >> 8;
    out[o++] = packetId & 0xff;
  }
  if (v5) {
    o = writeVarint(out, o, parts.props.length + subIdsLength(subIds));
    out.set(parts.props, o);
    o += parts.props.length;
    if (subIds !== null) {
      for (let i = 0; i < subIds.length; i++) {
        out[o++] = PropertyId.SubscriptionIdentifier;
        o = writeVarint(out, o, subIds[i]);
      }
    }
  }
  out.set(parts.payload, o);
  return o + parts.payload.length;
}

/** Remaining length of a PUBLISH. */
function publishRemaining(parts: PublishParts, qos: number, level: number, subIds: number[] | null): number {
  if (level < 5) return 2 + parts.topic.length + (qos > 0 ? 2 : 0) + parts.payload.length;
  const propsLen = parts.props.length + subIdsLength(subIds);
  return 2 + parts.topic.length + (qos > 0 ? 2 : 0) + varintSize(propsLen) + propsLen + parts.payload.length;
}

/** Bytes of the v5 Subscription Identifier properties for `subIds`. */
function subIdsLength(subIds: number[] | null): number {
  let n = 0;
  if (subIds !== null) for (let i = 0; i < subIds.length; i++) n += 1 + varintSize(subIds[i]);
  return n;
}

/** Offset of the packet id inside a PUBLISH built with QoS > 0 (first byte at 0). */
export function publishPacketIdOffset(packet: Uint8Array): number {
  let o = 1;
  while (packet[o] & 0x80) o++;
  o++;
  const topicLen = (packet[o] << 8) | packet[o + 1];
  return o + 2 + topicLen;
}

/** Sets DUP/QoS/retain flags and packet id of an assembled PUBLISH in place. */
export function patchPublish(packet: Uint8Array, flags: number, packetId: number, pidOffset: number): void {
  packet[0] = 0x30 | (flags & 0x0f);
  if (pidOffset >= 0) {
    packet[pidOffset] = packetId >> 8;
    packet[pidOffset + 1] = packetId & 0xff;
  }
}

/**
 * Writes the v5 PUBLISH `packet` at `out[at…]` with a Topic Alias property (MQTT 5.0 §3.3.2.3.4),
 * keeping the topic name (`withTopic`: the alias's first use) or leaving it empty (a later use).
 * `topicAt` is the offset of the topic's 2-byte length. `packet` must carry no Topic Alias of its
 * own (forwarded properties never do [MQTT-3.3.2-7]); `out` must have room for packet.length + 5
 * bytes from `at`. Returns the bytes written. Byte loops, not subarray + set: these packets are
 * small and hot.
 */
export function writeAliasedPublish(out: Uint8Array, at: number, packet: Uint8Array, topicAt: number, alias: number, withTopic: boolean): number {
  const topicLen = (packet[topicAt] << 8) | packet[topicAt + 1];
  const afterTopic = topicAt + 2 + topicLen;
  const pidLen = (packet[0] & 0x06) !== 0 ? 2 : 0;
  let p = afterTopic + pidLen, propsLen = 0, mul = 1, b = 0;
  do {
    b = packet[p++];
    propsLen += (b & 0x7f) * mul;
    mul *= 128;
  } while (b & 0x80);
  const end = packet.length;
  const newPropsLen = propsLen + 3;
  const keptTopic = withTopic ? topicLen : 0;
  const remaining = 2 + keptTopic + pidLen + varintSize(newPropsLen) + newPropsLen + (end - p - propsLen);
  out[at] = packet[0];
  let w = writeVarint(out, at + 1, remaining);
  out[w++] = keptTopic >> 8;
  out[w++] = keptTopic & 0xff;
  if (withTopic) for (let i = topicAt + 2; i < afterTopic; i++) out[w++] = packet[i];
  if (pidLen !== 0) {
    out[w++] = packet[afterTopic];
    out[w++] = packet[afterTopic + 1];
  }
  w = writeVarint(out, w, newPropsLen);
  out[w++] = PropertyId.TopicAlias;
  out[w++] = alias >> 8;
  out[w++] = alias & 0xff;
  if (end - p > 256) {
    out.set(packet.subarray(p, end), w);
    return w + end - p - at;
  }
  for (let i = p; i < end; i++) out[w++] = packet[i];
  return w - at;
}

/** Reused by ackBytes: acks are written straight to a connection, which copies at once. */
const ACK = new Uint8Array(5);
const ACK4 = ACK.subarray(0, 4);

/**
 * PUBACK / PUBREC / PUBREL / PUBCOMP. The reason code is written only for v5 and only when not
 * Success (MQTT 5.0 §3.4.2.1: it may be omitted when 0x00 and there are no properties).
 * Returns a shared scratch view, valid until the next call: hand it to a write that copies.
 */
export function ackBytes(type: number, packetId: number, reason: number, level: number): Uint8Array {
  const withReason = level >= 5 && reason !== 0;
  ACK[0] = (type << 4) | (type === 6 ? 0x02 : 0); // PUBREL's fixed header flags are 0010 [MQTT-3.6.1-1]
  ACK[1] = withReason ? 3 : 2;
  ACK[2] = packetId >> 8;
  ACK[3] = packetId & 0xff;
  ACK[4] = reason;
  return withReason ? ACK : ACK4;
}

/** PINGRESP. */
export const PINGRESP = new Uint8Array([0xd0, 0x00]);

/** A v5 DISCONNECT with a reason code and no properties. */
export function disconnectBytes(reason: number): Uint8Array {
  return new Uint8Array([0xe0, 0x01, reason]);
}

