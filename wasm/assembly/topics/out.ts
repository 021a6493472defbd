// The static header and growable output tables read by the facade (src/wasm/topic_index.ts).
// Tables grow by doubling into fresh heap blocks (old ones abandoned: waste is bounded); the
// header always holds their current addresses, so the facade re-reads it after each call.
//
//   header (u32 words): see H_* below; the facade mirrors these indexes.

export const HEADER: usize = memory.data(32 * 4);

export const H_INPUT = 0; // input buffer address
export const H_INPUT_CAP = 1; // its capacity in bytes
export const H_SUBS = 2; // subscriber entries: sid, options, sub-id list head (index + 1), sub-id count
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
  const fresh = heap.alloc(<usize>want << 2);
  if (cap != 0) memory.copy(fresh, ptr, <usize>cap << 2);
  store<u32>(capAt, want);
  hset(t, <u32>fresh);
  return fresh;
}

/** Per subscriber id: the generation of the last match that saw it and its output slot. */
let stampPtr: usize = 0;
let stampCap: u32 = 0;
let generation: u32 = 0;

/** Makes the stamp table cover subscriber `sid` (called on subscribe, never while matching). */
export function stampReserve(sid: u32): void {
  if (sid < stampCap) return;
  let want: u32 = stampCap == 0 ? 1024 : stampCap;
  while (want <= sid) want <<= 1;
  const fresh = heap.alloc(<usize>want << 3);
  memory.fill(fresh, 0, <usize>want << 3);
  if (stampCap != 0) memory.copy(fresh, stampPtr, <usize>stampCap << 3);
  stampPtr = fresh;
  stampCap = want;
}

/** Starts a match: a new generation makes every stamp stale in O(1). */
export function nextGeneration(): void {
  generation++;
  if (generation == 0) {
    memory.fill(stampPtr, 0, <usize>stampCap << 3);
    generation = 1;
  }
}

/** Output slot of `sid` in this match, or -1 when not seen yet (then records `slot`). */
export function stampSlot(sid: u32, slot: u32): i32 {
  const s = stampPtr + (<usize>sid << 3);
  if (load<u32>(s) == generation) return <i32>load<u32>(s, 4);
  store<u32>(s, generation);
  store<u32>(s, slot, 4);
  return -1;
}
