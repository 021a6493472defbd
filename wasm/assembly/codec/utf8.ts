// UTF-8 checks for MQTT strings: well-formed (no overlongs, no surrogates U+D800..U+DFFF, nothing
// above U+10FFFF) and no U+0000: 3.1.1 [MQTT-1.5.3-1] [MQTT-1.5.3-2], 5.0 [MQTT-1.5.4-1] [MQTT-1.5.4-2].
// Either is a Malformed Packet (0x81). ASCII runs take the fast path.

/** Every byte of a 64-bit word set to 0x01 / 0x80: SWAR constants for whole-word byte tests. */
export const ONES: u64 = 0x0101010101010101;
export const HIGHS: u64 = 0x8080808080808080;

/**
 * Nonzero when some byte of `w` is zero. Exact as a whole (it may mark the wrong byte after a
 * zero, never a word without one), which is all the callers ask.
 */
// @ts-ignore: decorator
@inline export function zeroByte(w: u64): u64 { return (w - ONES) & ~w & HIGHS; }

/** True when `len` bytes at `p` are a valid MQTT UTF-8 string. */
export function utf8Valid(p: usize, len: i32): bool {
  const end = p + <usize>len;
  // Fast path: whole 8-byte words of ASCII with no U+0000 need no per-byte look; the byte loop
  // takes over at the first other word (a character boundary: only ASCII was skipped).
  while (p + 8 <= end) {
    const w = load<u64>(p);
    if (((w & HIGHS) | zeroByte(w)) != 0) break;
    p += 8;
  }
  while (p < end) {
    const b = <u32>load<u8>(p);
    if (b < 0x80) {
      if (b == 0) return false; // [MQTT-1.5.3-2] [MQTT-1.5.4-2]
      p++;
      continue;
    }
    const n = sequenceLength(p, end, b);
    if (n == 0) return false; // [MQTT-1.5.3-1] [MQTT-1.5.4-1]
    p += n;
  }
  return true;
}

// @ts-ignore: decorator
@inline function cont(p: usize): bool { return (<u32>load<u8>(p) & 0xc0) == 0x80; }

/** Length of the multi-byte sequence at `p` (lead byte `b`), 0 when ill-formed (Unicode Table 3-7). */
function sequenceLength(p: usize, end: usize, b: u32): usize {
  if (b >= 0xc2 && b <= 0xdf) {
    return p + 1 < end && cont(p + 1) ? 2 : 0;
  }
  if (b >= 0xe0 && b <= 0xef) {
    if (p + 2 >= end) return 0;
    const b1 = <u32>load<u8>(p + 1);
    if (b == 0xe0 && b1 < 0xa0) return 0; // overlong
    if (b == 0xed && b1 >= 0xa0) return 0; // surrogates [MQTT-1.5.3-1] [MQTT-1.5.4-1]
    return (b1 & 0xc0) == 0x80 && cont(p + 2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    if (p + 3 >= end) return 0;
    const b1 = <u32>load<u8>(p + 1);
    if (b == 0xf0 && b1 < 0x90) return 0; // overlong
    if (b == 0xf4 && b1 >= 0x90) return 0; // above U+10FFFF
    return (b1 & 0xc0) == 0x80 && cont(p + 2) && cont(p + 3) ? 4 : 0;
  }
  return 0; // continuation byte as lead, 0xC0/0xC1 overlongs, 0xF5..0xFF
}
