// The static header and growable output tables read by the facade (src/wasm/topic_index.ts).
// Tables grow by doubling (old blocks go back to the allocator); the header always holds their
// current addresses, so the facade re-reads it after each call.
import { bufferAlloc, bufferFree } from "./alloc";
//
//   header (u32 words): see H_* below; the facade mirrors these indexes.

export const HEADER: usize = memory.data(32 * 4);

export const H_INPUT = 0; // input buffer address
export const H_INPUT_CAP = 1; // its capacity in bytes
export const H_SUBS = 2; // folded subscriber entries (fold.ts); H_SUB_OUT says where the last match's are
export const H_SUBIDS = 3; // subscription-id cells: value, next (index + 1, 0 = end)
export const H_SHARED = 4; // shared entries: group key, first member, member count, 0
export const H_MEMBERS = 5; // member entries: sid, options, subscription identifier
export const H_RETAINED = 6; // retained message ids
export const H_STACK = 7; // walk stack (internal)
export const H_SUB_COUNT = 8;
export const H_SHARED_COUNT = 9;
export const H_MEMBER_COUNT = 10;
export const H_RETAINED_COUNT = 11;
export const H_SUBID_COUNT = 12;
export const H_SUB_OUT = 13; // subscriber entries of the last match: the H_SUBS table or a set's block

/** Bit 31 of an output entry's sid: the entry folded several identifiers into a cell list (fold.ts). */
export const LIST: u32 = 0x80000000;

/** Word capacities of the tables H_SUBS..H_STACK. */
const CAPS: usize = memory.data(8 * 4);

// @ts-ignore: decorator
@inline export function hget(i: i32): u32 { return load<u32>(HEADER + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function hset(i: i32, v: u32): void { store<u32>(HEADER + (<usize>i << 2), v); }

/** Address of table `t` (H_SUBS..H_STACK), grown so it holds at least `words` u32 words. */
export function tableFor(t: i32, words: u32): usize {
  const capAt = CAPS + (<usize>(t - H_SUBS) << 2);
  const cap = load<u32>(capAt);
  const ptr = <usize>hget(t);
  if (words <= cap) return ptr;
  let want: u32 = cap == 0 ? 1024 : cap << 1;
  while (want < words) want <<= 1;
  const fresh = bufferAlloc(<usize>want << 2);
  if (cap != 0) {
    memory.copy(fresh, ptr, <usize>cap << 2);
    bufferFree(ptr, <usize>cap << 2);
  }
  store<u32>(capAt, want);
  hset(t, <u32>fresh);
  return fresh;
}

// Folding overlapping subscriptions needs "is this subscriber already in the output?". A per-match
// open-addressed set (sid -> output slot) stays in cache, unlike a table indexed by subscriber id
// (random misses over megabytes at 1M subscribers); slots carry the match generation, so starting a
// match is O(1). The matcher fills it lazily, only when probing it is the cheaper way to fold.
//   slot (16 bytes): +0 generation  +4 subscriber id  +8 output slot
let seenPtr: usize = 0;
let seenCap: u32 = 0;
let generation: u32 = 0;

/** Empties the seen set in O(1) (a new generation). */
export function seenReset(): void {
  generation++;
  if (generation == 0) {
    memory.fill(seenPtr, 0, <usize>seenCap << 4);
    generation = 1;
  }
}

/** Output slot of `sid`, or -1 after recording it at `slot`. Call `seenReserve` first. */
export function seenPut(sid: u32, slot: u32): i32 {
  const mask = seenCap - 1;
  let h = sid * 0x9e3779b1;
  let i = (h ^ (h >>> 16)) & mask;
  while (true) {
    const e = seenPtr + (<usize>i << 4);
    if (load<u32>(e) != generation) {
      store<u32>(e, generation);
      store<u32>(e, sid, 4);
      store<u32>(e, slot, 8);
      return -1;
    }
    if (load<u32>(e, 4) == sid) return <i32>load<u32>(e, 8);
    i = (i + 1) & mask;
  }
}

/**
 * Makes room for `total` entries at load <= 1/2. A grown table is rebuilt from the first `known`
 * output entries (8 bytes each at `subs`, sid first; bit 31 of the sid is a flag, not part of it).
 */
export function seenReserve(total: u32, subs: usize, known: u32): void {
  if (total * 2 <= seenCap) return;
  let cap: u32 = seenCap < 256 ? 256 : seenCap;
  while (cap < total * 2) cap <<= 1;
  if (seenCap != 0) bufferFree(seenPtr, <usize>seenCap << 4);
  seenPtr = bufferAlloc(<usize>cap << 4);
  memory.fill(seenPtr, 0, <usize>cap << 4);
  seenCap = cap;
  if (generation == 0) generation = 1;
  for (let i: u32 = 0; i < known; i++) seenPut(load<u32>(subs + (<usize>i << 3)) & ~LIST, i);
}
