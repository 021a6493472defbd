// Bounds-checked cursor over one packet's bytes [pos, lim). A read past `lim` never traps: it
// records 0x81 (malformed) in `err`, returns 0 and leaves the cursor at `lim`, so the decoders
// can read a whole structure and check `err` once.

/** Malformed Packet (MQTT 5.0 §2.4). */
export const MALFORMED: i32 = 0x81;
/** Protocol Error. */
export const PROTOCOL_ERROR: i32 = 0x82;

export let pos: usize = 0;
export let lim: usize = 0;
/** First error seen in the current packet (0 = none). */
export let err: i32 = 0;

/** Starts reading the body [p, end) of a new packet. */
export function beginPacket(p: usize, end: usize): void {
  pos = p;
  lim = end;
  err = 0;
}

/** Records the first error only: later ones are consequences of it. */
export function fail(code: i32): void {
  if (err == 0) err = code;
}

/** Bytes left in the packet. */
// @ts-ignore: decorator
@inline export function left(): i32 {
  return <i32>(lim - pos);
}

/** Skips `n` bytes (the caller checked they are there). */
export function skip(n: i32): void {
  pos += <usize>n;
}

/** Moves the cursor to the end of the packet (payloads and lists consume the rest). */
export function toEnd(): void {
  pos = lim;
}

export function readU8(): u32 {
  if (pos >= lim) { fail(MALFORMED); return 0; }
  return <u32>load<u8>(pos++);
}

export function readU16(): u32 {
  if (pos + 2 > lim) { fail(MALFORMED); pos = lim; return 0; }
  const v = (<u32>load<u8>(pos) << 8) | <u32>load<u8>(pos + 1);
  pos += 2;
  return v;
}

export function readU32(): u32 {
  if (pos + 4 > lim) { fail(MALFORMED); pos = lim; return 0; }
  const v = bswap<u32>(load<u32>(pos));
  pos += 4;
  return v;
}

/** Variable Byte Integer, at most 4 bytes [MQTT-1.5.5-1]: a 5th continuation byte is malformed. */
export function readVarint(): u32 {
  let v: u32 = 0;
  for (let i: u32 = 0; i < 4; i++) {
    if (pos >= lim) { fail(MALFORMED); return 0; }
    const b = <u32>load<u8>(pos++);
    v |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return v;
  }
  fail(MALFORMED); // [MQTT-1.5.5-1] more than 4 bytes
  return 0;
}

/** Offset and length of the last length-prefixed field read by `lenPrefixed`. */
export let fieldPtr: usize = 0;
export let fieldLen: i32 = 0;

/** Reads a 2-byte length and that many bytes (UTF-8 string or binary data, MQTT 5.0 §1.5.4/§1.5.6). */
export function lenPrefixed(): bool {
  const n = <i32>readU16();
  if (err != 0) return false;
  if (pos + <usize>n > lim) { fail(MALFORMED); pos = lim; return false; }
  fieldPtr = pos;
  fieldLen = n;
  pos += <usize>n;
  return true;
}

/** Narrows the readable end to `end` (a property block); returns the previous end for `widen`. */
export function narrow(end: usize): usize {
  const old = lim;
  lim = end;
  return old;
}

/** Restores the end saved by `narrow`. */
export function widen(old: usize): void {
  lim = old;
}
