// A subscriber set: the subscriptions of one filter (or one shared group). Entries are packed in a
// dense array so matching reads count * 8 contiguous bytes; sets above 8 entries add a hash index
// (sid -> position) so re-subscribe and unsubscribe stay O(1) with 100k subscribers on one filter.
//
//   set header (inside a node or group): +0 count  +4 block  +15 capacity (a byte: log2 + 1, 0 = none)
//   block: cap entries of 8 bytes, then (cap > 8) an index of 2 * cap u32 slots (position + 1, 0 = empty)
//   entry: +0 subscriber id (< 2^31: bit 31 is a scratch mark for the matcher)
//          +4 subscription identifier << 4 | options (QoS bits 0-1, No Local bit 2, RAP bit 3)
import { allocBlock, freeBlock } from "./alloc";
import { capGet, capSet } from "./node";

/** Offset of the capacity byte from the set header (node: +16 -> +31, group: +8 -> +23). */
export const SET_CAP: usize = 15;

const LINEAR_MAX: u32 = 8;

// @ts-ignore: decorator
@inline function blockSize(cap: u32): usize { return cap > LINEAR_MAX ? <usize>cap << 4 : <usize>cap << 3; }

// @ts-ignore: decorator
@inline function slotOf(sid: u32, mask: u32): u32 {
  const h = sid * 0x9e3779b1;
  return (h ^ (h >>> 15)) & mask;
}

/** Packs a subscription's identifier (max 268,435,455) and delivery options into one word. */
// @ts-ignore: decorator
@inline export function packOptions(ident: u32, opts: u32): u32 { return (ident << 4) | (opts & 0x0f); }

/** The index slot holding position `pos` of `sid` (index present). */
function indexSlot(block: usize, cap: u32, sid: u32, pos: u32): usize {
  const index = block + (<usize>cap << 3);
  const mask = (cap << 1) - 1;
  let i = slotOf(sid, mask);
  while (load<u32>(index + (<usize>i << 2)) != pos + 1) i = (i + 1) & mask;
  return index + (<usize>i << 2);
}

function indexPut(block: usize, cap: u32, sid: u32, pos: u32): void {
  const index = block + (<usize>cap << 3);
  const mask = (cap << 1) - 1;
  let i = slotOf(sid, mask);
  while (load<u32>(index + (<usize>i << 2)) != 0) i = (i + 1) & mask;
  store<u32>(index + (<usize>i << 2), pos + 1);
}

/** Moves the set into a block of `cap` entries (0 releases it), rebuilding the index. */
function resize(set: usize, cap: u32): void {
  const count = load<u32>(set);
  const oldCap = capGet(set + SET_CAP);
  const old = <usize>load<u32>(set, 4);
  let block: usize = 0;
  if (cap != 0) {
    block = allocBlock(blockSize(cap));
    memory.copy(block, old, <usize>count << 3);
    if (cap > LINEAR_MAX) {
      memory.fill(block + (<usize>cap << 3), 0, <usize>cap << 3);
      for (let p: u32 = 0; p < count; p++) indexPut(block, cap, load<u32>(block + (<usize>p << 3)), p);
    }
  }
  if (oldCap != 0) freeBlock(old, blockSize(oldCap));
  capSet(set + SET_CAP, cap);
  store<u32>(set, <u32>block, 4);
}

/** The entry address of subscriber `sid` in `set`, or 0. */
export function subFind(set: usize, sid: u32): usize {
  const count = load<u32>(set);
  const cap = capGet(set + SET_CAP);
  const block = <usize>load<u32>(set, 4);
  if (cap <= LINEAR_MAX) {
    for (let p: u32 = 0; p < count; p++) {
      if (load<u32>(block + (<usize>p << 3)) == sid) return block + (<usize>p << 3);
    }
    return 0;
  }
  const index = block + (<usize>cap << 3);
  const mask = (cap << 1) - 1;
  let i = slotOf(sid, mask);
  while (true) {
    const v = load<u32>(index + (<usize>i << 2));
    if (v == 0) return 0;
    const e = block + (<usize>(v - 1) << 3);
    if (load<u32>(e) == sid) return e;
    i = (i + 1) & mask;
  }
}

/** Adds or replaces subscriber `sid`'s entry. Returns true when it already existed. */
export function subUpsert(set: usize, sid: u32, ident: u32, opts: u32): bool {
  const found = subFind(set, sid);
  if (found != 0) {
    store<u32>(found, packOptions(ident, opts), 4);
    return true;
  }
  const count = load<u32>(set);
  let cap = capGet(set + SET_CAP);
  if (count == cap) resize(set, cap = cap == 0 ? 1 : cap << 1);
  const block = <usize>load<u32>(set, 4);
  store<u32>(block + (<usize>count << 3), sid);
  store<u32>(block + (<usize>count << 3), packOptions(ident, opts), 4);
  if (cap > LINEAR_MAX) indexPut(block, cap, sid, count);
  store<u32>(set, count + 1);
  return false;
}

/** Removes subscriber `sid` (the last entry fills its place). Returns false when absent. */
export function subRemove(set: usize, sid: u32): bool {
  const e = subFind(set, sid);
  if (e == 0) return false;
  const cap = capGet(set + SET_CAP);
  const block = <usize>load<u32>(set, 4);
  const pos = <u32>((e - block) >>> 3);
  const last = load<u32>(set) - 1;
  if (cap > LINEAR_MAX) indexDelete(block, cap, indexSlot(block, cap, sid, pos));
  if (pos != last) {
    const moved = load<u32>(block + (<usize>last << 3));
    store<u64>(e, load<u64>(block + (<usize>last << 3)));
    if (cap > LINEAR_MAX) store<u32>(indexSlot(block, cap, moved, last), pos + 1);
  }
  store<u32>(set, last);
  if (last == 0) resize(set, 0);
  else if (cap > 1 && last * 4 <= cap) resize(set, cap >> 1);
  return true;
}

/** Backward-shift deletion of an index slot: later slots of its probe run move into the hole. */
function indexDelete(block: usize, cap: u32, hole: usize): void {
  const index = block + (<usize>cap << 3);
  const mask = (cap << 1) - 1;
  let i = <u32>((hole - index) >>> 2);
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const v = load<u32>(index + (<usize>j << 2));
    if (v == 0) break;
    const k = slotOf(load<u32>(block + (<usize>(v - 1) << 3)), mask);
    if (j > i ? (k <= i || k > j) : (k <= i && k > j)) {
      store<u32>(index + (<usize>i << 2), v);
      i = j;
    }
  }
  store<u32>(index + (<usize>i << 2), 0);
}

/** Releases the block of an emptied set. */
export function subClear(set: usize): void { resize(set, 0); }
