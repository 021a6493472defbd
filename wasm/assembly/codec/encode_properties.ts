// MQTT 5 properties (MQTT 5.0 §2.2.2): sizing with validation, then writing, from table entries;
// and the pass-through of a raw property block for PUBLISH forwarding (publishFrom).
//
//   property block:  [property length varint] ([identifier varint (one byte: all ids < 0x80)] [value])*
//   values by kind:  byte | two byte int | four byte int | varint | u16 len + UTF-8 | u16 len + bytes
//                    | user property: u16 len + name, u16 len + value
import {
  E_MALFORMED_PROPERTIES, E_PROPERTY_NOT_ALLOWED, E_PROPERTY_REPEATED, E_PROPERTY_VALUE, E_STRING_LENGTH,
  MAX_U16, eget, fail, putBytes, putPrefixed, putU16, putU32, putU8, putVarint, scratchAt, varintSize,
} from "./writer";
import { K_BYTE, K_NONE, K_PAIR, K_STRING, K_U16, K_U32, K_VARINT, wireKind } from "./property_kinds";

export const P_SUBSCRIPTION_IDENTIFIER: u32 = 0x0b;
export const P_TOPIC_ALIAS: u32 = 0x23;

/** Smallest allowed value: 0 is a protocol error for these (MQTT 5.0 §3.1.2.11.3, .4, .7, §3.3.2.3.4, .8). */
function minOf(id: u32): u32 {
  return id == 0x21 || id == 0x23 || id == 0x27 || id == 0x0b ? 1 : 0;
}

// @ts-ignore: decorator
@inline function bit(id: u32): u64 { return <u64>1 << <u64>id; }

/**
 * Properties allowed per packet, one bit per identifier (MQTT 5.0 §2.2.2.2 table 2-4). Literals, not
 * expressions: the module's start function may not run, so globals must be constant-initialised.
 *   message = 0x01 0x02 0x03 0x08 0x09 (payload format, expiry, content type, response topic,
 *   correlation data); user property 0x26 is allowed everywhere.
 */
export const ALLOW_PUBLISH: u64 = 0x4800000b0e; // message, 0x0b subscription id, 0x23 topic alias
export const ALLOW_WILL: u64 = 0x400100030e; // message, 0x18 will delay
export const ALLOW_CONNECT: u64 = 0xc602e20000; // 0x11 0x15 0x16 0x17 0x19 0x21 0x22 0x27
export const ALLOW_CONNACK: u64 = 0x7f6946e0000; // 0x11 0x12 0x13 0x15 0x16 0x1a 0x1c 0x1f 0x21 0x22 0x24 0x25 0x27..0x2a
export const ALLOW_ACK: u64 = 0x4080000000; // 0x1f reason string (PUBACK..PUBCOMP, SUBACK, UNSUBACK)
export const ALLOW_SUBSCRIBE: u64 = 0x4000000800; // 0x0b subscription id
export const ALLOW_UNSUBSCRIBE: u64 = 0x4000000000;
export const ALLOW_DISCONNECT: u64 = 0x4090020000; // 0x11 session expiry, 0x1c server reference, 0x1f
export const ALLOW_AUTH: u64 = 0x4080600000; // 0x15 method, 0x16 data, 0x1f

/** Entries with these ids seen by the last propsSize (PUBLISH needs the topic alias, SUBSCRIBE the ids). */
export let seenTopicAlias = false;
export let seenSubscriptionIds: u32 = 0;

/** Bytes of one property entry, or a negative error. */
function entrySize(e: u32, id: u32): i64 {
  const kind = wireKind(id);
  const v = eget(e, 1);
  if (kind == K_STRING || kind == K_PAIR) {
    const a = eget(e, 2);
    if (a > MAX_U16) return fail(E_STRING_LENGTH, id);
    if (kind == K_STRING) return 3 + <i64>a;
    const b = eget(e, 3);
    if (b > MAX_U16) return fail(E_STRING_LENGTH, id);
    return 5 + <i64>a + <i64>b;
  }
  if (v < minOf(id)) return fail(E_PROPERTY_VALUE, id);
  if (kind == K_BYTE) return v > 1 ? fail(E_PROPERTY_VALUE, id) : 2; // every byte property is 0 or 1
  if (kind == K_U16) return v > MAX_U16 ? fail(E_PROPERTY_VALUE, id) : 3;
  if (kind == K_U32) return 5;
  return v > 268435455 ? fail(E_PROPERTY_VALUE, id) : 1 + <i64>varintSize(v);
}

/**
 * Size of the property entries [first, first + count) without the length varint, checking each
 * against `allowed` and its value range; negative error code on failure.
 */
export function propsSize(first: u32, count: u32, allowed: u64): i64 {
  let size: i64 = 0;
  let seen: u64 = 0;
  seenTopicAlias = false;
  seenSubscriptionIds = 0;
  for (let e = first; e < first + count; e++) {
    const id = eget(e, 0);
    if (id >= 64 || (allowed & bit(id)) == 0 || wireKind(id) == K_NONE) return fail(E_PROPERTY_NOT_ALLOWED, id);
    // Only user properties and (PUBLISH) subscription identifiers may repeat (MQTT 5.0 §2.2.2.2).
    if ((seen & bit(id)) != 0 && id != 0x26 && id != P_SUBSCRIPTION_IDENTIFIER) {
      return fail(E_PROPERTY_REPEATED, id);
    }
    seen |= bit(id);
    if (id == P_TOPIC_ALIAS) seenTopicAlias = true;
    if (id == P_SUBSCRIPTION_IDENTIFIER) seenSubscriptionIds++;
    const s = entrySize(e, id);
    if (s < 0) return s;
    size += s;
  }
  return size;
}

/** Bytes the block takes on the wire: length varint + properties. */
// @ts-ignore: decorator
@inline export function blockSize(size: u32): u32 { return varintSize(size) + size; }

/** Writes the property block (length varint, then entries in table order). */
export function putProps(first: u32, count: u32, size: u32): void {
  putVarint(size);
  for (let e = first; e < first + count; e++) {
    const id = eget(e, 0);
    const kind = wireKind(id);
    const v = eget(e, 1);
    putU8(id);
    if (kind == K_BYTE) putU8(v);
    else if (kind == K_U16) putU16(v);
    else if (kind == K_U32) putU32(v);
    else if (kind == K_VARINT) putVarint(v);
    else if (kind == K_STRING) putPrefixed(scratchAt(v), eget(e, 2));
    else {
      const keyLen = eget(e, 2);
      putPrefixed(scratchAt(v), keyLen);
      putPrefixed(scratchAt(v) + <usize>keyLen, eget(e, 3));
    }
  }
}

/** Length of the property at `p` (id byte included), or 0 if it is malformed or runs past `end`. */
function rawLength(p: usize, end: usize): u32 {
  const id = <u32>load<u8>(p);
  const kind = wireKind(id);
  let n: usize = 1;
  if (kind == K_BYTE) n += 1;
  else if (kind == K_U16) n += 2;
  else if (kind == K_U32) n += 4;
  else if (kind == K_VARINT) {
    while (p + n < end && n < 4 && (load<u8>(p + n) & 0x80) != 0) n++;
    n++;
  } else if (kind == K_STRING || kind == K_PAIR) {
    if (p + n + 2 > end) return 0;
    n += 2 + ((<usize>load<u8>(p + n) << 8) | <usize>load<u8>(p + n + 1));
    if (kind == K_PAIR) {
      if (p + n + 2 > end) return 0;
      n += 2 + ((<usize>load<u8>(p + n) << 8) | <usize>load<u8>(p + n + 1));
    }
  } else return 0;
  return p + n > end ? 0 : <u32>n;
}

/** Per-hop properties a forwarded PUBLISH must not carry over (MQTT 5.0 §3.3.2.3.4, §3.3.2.3.8). */
// @ts-ignore: decorator
@inline function perHop(id: u32): bool { return id == P_TOPIC_ALIAS || id == P_SUBSCRIPTION_IDENTIFIER; }

/** Bytes of the raw block [p, p + len) kept when forwarding, or a negative error when malformed. */
export function rawKeptSize(p: usize, len: u32): i64 {
  const end = p + <usize>len;
  let kept: i64 = 0;
  let q = p;
  while (q < end) {
    const n = rawLength(q, end);
    if (n == 0) return fail(E_MALFORMED_PROPERTIES, <u32>(q - p));
    if (!perHop(<u32>load<u8>(q))) kept += n;
    q += n;
  }
  return kept;
}

/** Copies the raw block without its per-hop properties (`kept` from rawKeptSize: all kept = one copy). */
export function putRawKept(p: usize, len: u32, kept: u32): void {
  if (kept == len) {
    putBytes(p, len);
    return;
  }
  const end = p + <usize>len;
  let q = p;
  while (q < end) {
    const n = rawLength(q, end);
    if (!perHop(<u32>load<u8>(q))) putBytes(q, n);
    q += n;
  }
}
