/**
 * A stored message as one BLOB, so a row costs one value to read: Deno's node:sqlite pays a few
 * microseconds per column value, which made a million retained messages with five columns take
 * 17 s to read (one BLOB: about a third of that). Layout (big-endian):
 *
 *   [0]      flags: qos (bits 0-1) | retain (bit 2)
 *   [1..8]   expiresAt, float64 ms since the epoch (0 = never)
 *   [9..10]  topic length T
 *   [11..]   topic (T bytes)
 *   [..+4]   properties length P
 *   [..]     properties (P bytes), then the payload (the rest)
 */
import type { StoredMessage } from "./types.ts";

const HEAD = 1 + 8 + 2;

/** Encodes `m` into a fresh buffer (bytes set by hand: a DataView over a fresh array costs more). */
export function encodeRecord(m: StoredMessage): Uint8Array {
  const t = m.topic.length, p = m.props.length;
  const out = new Uint8Array(HEAD + t + 4 + p + m.payload.length);
  out[0] = m.qos | (m.retain ? 4 : 0);
  if (m.expiresAt !== 0) {
    F64[0] = m.expiresAt;
    for (let i = 0; i < 8; i++) out[1 + i] = F64_BYTES[LITTLE ? 7 - i : i];
  }
  out[9] = t >>> 8;
  out[10] = t & 0xff;
  out.set(m.topic, HEAD);
  const o = HEAD + t;
  out[o] = p >>> 24;
  out[o + 1] = (p >>> 16) & 0xff;
  out[o + 2] = (p >>> 8) & 0xff;
  out[o + 3] = p & 0xff;
  if (p > 0) out.set(m.props, o + 4);
  out.set(m.payload, o + 4 + p);
  return out;
}

/** Scratch for the float64 deadline's bytes (0 encodes as eight zero bytes, left as allocated). */
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes a record; the arrays are views into `b` (the caller owns it).
 * @throws RangeError for a record too short for its own lengths (a damaged row).
 */
export function decodeRecord(b: Uint8Array): StoredMessage {
  if (b.length < HEAD + 4) throw new RangeError(`stored message record of ${b.length} bytes is too short`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const t = v.getUint16(9);
  if (HEAD + t + 4 > b.length) throw new RangeError("stored message record: topic past its end");
  const p = v.getUint32(HEAD + t);
  const payloadAt = HEAD + t + 4 + p;
  if (payloadAt > b.length) throw new RangeError("stored message record: properties past its end");
  return {
    topic: b.subarray(HEAD, HEAD + t), props: b.subarray(HEAD + t + 4, payloadAt), payload: b.subarray(payloadAt),
    qos: (b[0] & 3) as 0 | 1 | 2, retain: (b[0] & 4) !== 0, expiresAt: v.getFloat64(1),
  };
}
