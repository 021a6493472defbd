// A subscriber set: the subscriptions of one filter (or one shared group), keyed by subscriber id
// in an open-addressed table so re-subscribe and unsubscribe are O(1) even when 100k clients
// subscribe to the same filter. Matching walks the slots: O(capacity) <= O(4/3 * count + 2).
//
//   set header (12 bytes, inside a node or group): +0 count  +4 capacity  +8 table
//   entry (12 bytes): +0 subscriber id + 1 (0 = empty slot)  +4 subscription identifier  +8 options
import { allocBlock, freeBlock } from "./alloc";

export const ENTRY: usize = 12;

// @ts-ignore: decorator
@inline function slotOf(key: u32, mask: u32): u32 {
  let h = key * 0x9e3779b1;
  return (h ^ (h >>> 15)) & mask;
}

function put(table: usize, mask: u32, key: u32, ident: u32, opts: u32): void {
  let i = slotOf(key, mask);
  while (load<u32>(table + <usize>i * ENTRY) != 0) i = (i + 1) & mask;
  const e = table + <usize>i * ENTRY;
  store<u32>(e, key);
  store<u32>(e, ident, 4);
  store<u32>(e, opts, 8);
}

function rehash(set: usize, cap: u32): void {
  const oldCap = load<u32>(set, 4);
  const old = <usize>load<u32>(set, 8);
  let table: usize = 0;
  if (cap != 0) {
    table = allocBlock(<usize>cap * ENTRY);
    memory.fill(table, 0, <usize>cap * ENTRY);
    for (let i: u32 = 0; i < oldCap; i++) {
      const e = old + <usize>i * ENTRY;
      const key = load<u32>(e);
      if (key != 0) put(table, cap - 1, key, load<u32>(e, 4), load<u32>(e, 8));
    }
  }
  if (oldCap != 0) freeBlock(old, <usize>oldCap * ENTRY);
  store<u32>(set, cap, 4);
  store<u32>(set, <u32>table, 8);
}

/** The slot address of subscriber `sid` in `set`, or 0. */
export function subFind(set: usize, sid: u32): usize {
  const cap = load<u32>(set, 4);
  if (cap == 0) return 0;
  const table = <usize>load<u32>(set, 8);
  const key = sid + 1;
  const mask = cap - 1;
  let i = slotOf(key, mask);
  // A table of one or two slots may be full, so the probe is bounded by the capacity.
  for (let n: u32 = 0; n < cap; n++) {
    const e = table + <usize>i * ENTRY;
    const k = load<u32>(e);
    if (k == key) return e;
    if (k == 0) return 0;
    i = (i + 1) & mask;
  }
  return 0;
}

/** Adds or replaces subscriber `sid`'s entry. Returns true when it already existed. */
export function subUpsert(set: usize, sid: u32, ident: u32, opts: u32): bool {
  const e = subFind(set, sid);
  if (e != 0) {
    store<u32>(e, ident, 4);
    store<u32>(e, opts, 8);
    return true;
  }
  const count = load<u32>(set) + 1;
  let cap = load<u32>(set, 4);
  // Tiny tables may fill up (one subscriber per filter is the common case); bigger ones stay <= 3/4.
  if (count > cap || (cap > 2 && count * 4 > cap * 3)) {
    let want: u32 = cap == 0 ? 1 : cap << 1;
    while (want > 2 && count * 4 > want * 3) want <<= 1;
    rehash(set, want);
    cap = want;
  }
  put(<usize>load<u32>(set, 8), cap - 1, sid + 1, ident, opts);
  store<u32>(set, count);
  return false;
}

/** Removes subscriber `sid`. Returns false when it was not there. */
export function subRemove(set: usize, sid: u32): bool {
  const e = subFind(set, sid);
  if (e == 0) return false;
  const cap = load<u32>(set, 4);
  const count = load<u32>(set) - 1;
  store<u32>(set, count);
  if (count == 0) {
    rehash(set, 0);
    return true;
  }
  if (cap <= 2) {
    // Tiny tables may be full (no empty slot ends a probe run): re-insert what remains.
    store<u32>(e, 0);
    rehash(set, cap);
    return true;
  }
  backShift(<usize>load<u32>(set, 8), cap - 1, <u32>((e - <usize>load<u32>(set, 8)) / ENTRY));
  if (cap > 8 && count * 8 < cap) rehash(set, cap >> 1);
  return true;
}

/** Backward-shift deletion of slot `i`: later entries of its probe run move into the hole. */
function backShift(table: usize, mask: u32, i: u32): void {
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const e = table + <usize>j * ENTRY;
    const key = load<u32>(e);
    if (key == 0) break;
    const k = slotOf(key, mask);
    if (j > i ? (k <= i || k > j) : (k <= i && k > j)) {
      memory.copy(table + <usize>i * ENTRY, e, ENTRY);
      i = j;
    }
  }
  store<u32>(table + <usize>i * ENTRY, 0);
}

/** Releases the table of an emptied set. */
export function subClear(set: usize): void { rehash(set, 0); }
