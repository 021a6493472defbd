// Hashing for level tokens and share names. Tokens are hashed once per level per call (levels.ts
// hashes while it splits) and the full 32-bit hash is stored beside each child pointer, so a probe
// compares bytes only on a hash hit.

/** FNV-1a offset basis: the hash of no bytes. */
export const FNV_BASIS: u32 = 0x811c9dc5;

/** One FNV-1a step: `h` extended by byte `c`. */
// @ts-ignore: decorator
@inline export function fnvStep(h: u32, c: u32): u32 { return (h ^ c) * 0x01000193; }

/** FNV-1a over `len` bytes at `ptr`. */
export function hashBytes(ptr: usize, len: usize): u32 {
  let h = FNV_BASIS;
  for (let i: usize = 0; i < len; i++) h = fnvStep(h, <u32>load<u8>(ptr + i));
  return h;
}

/** Spreads a hash over the low bits used as a table index (FNV's low bits are weak). */
// @ts-ignore: decorator
@inline export function mix(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  return h;
}

/** True when `len` bytes at `a` equal those at `b`. */
export function bytesEqual(a: usize, b: usize, len: usize): bool {
  for (let i: usize = 0; i < len; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}
