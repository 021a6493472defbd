// Trie nodes in linear memory and their children: an open-addressed table (linear probing,
// backward-shift deletion, no tombstones) of (hash, node) pairs, so a level with 100k children is
// still O(1) per lookup. A lone child needs no table: it sits in the table field itself (capacity
// byte 0), so the common chain of single-child levels costs no table read and no table block.
// `+` and `#` children sit in their own fields: matching reaches them without a probe. Nodes keep no
// parent pointer or hash: walks record their path (levels.ts `pathAt`) and the level hashes, which
// is all unlinking needs. A node with a token of <= 16 bytes takes 48 bytes.
//
//   node (32 + token bytes):
//   +0  child count   +4  child table (capacity 0: the lone child, or 0)
//   +8  `+` child   +12 `#` child
//   +16 subscriber set: count, +20 block (retained trie: +16 has message, +20 message id)
//   +24 shared group list   +28 token length (u16)   +30 child capacity (u8 log2 + 1, 0 = none)
//   +31 subscriber-set capacity (u8, same encoding)   +32 token bytes
import { allocBlock, freeBlock } from "./alloc";
import { bytesEqual, hashBytes, mix } from "./hash";

export const N_CHILDREN: usize = 0;
export const N_PLUS: usize = 8;
export const N_WILD: usize = 12;
export const N_SUBS: usize = 16; // a subscriber set: count, block; capacity byte at N_SUBS_CAP
export const N_SHARED: usize = 24;
export const N_TOKLEN: usize = 28;
export const N_CHILD_CAP: usize = 30;
export const N_SUBS_CAP: usize = 31;
export const N_TOKEN: usize = 32;

/** Capacity stored as a byte at `at` (log2 + 1, 0 = none). */
// @ts-ignore: decorator
@inline export function capGet(at: usize): u32 {
  const v = <u32>load<u8>(at);
  return v == 0 ? 0 : <u32>1 << (v - 1);
}

// @ts-ignore: decorator
@inline export function capSet(at: usize, cap: u32): void {
  store<u8>(at, cap == 0 ? 0 : <u8>(ctz(cap) + 1));
}

/** A new node with no children and no subscribers. */
export function nodeNew(tok: usize, len: usize): usize {
  const n = allocBlock(N_TOKEN + len);
  memory.fill(n, 0, N_TOKEN);
  store<u16>(n + N_TOKLEN, <u16>len);
  memory.copy(n + N_TOKEN, tok, len);
  return n;
}

/** Frees a node (its tables must already be released). */
export function nodeFree(n: usize): void {
  freeBlock(n, N_TOKEN + <usize>load<u16>(n + N_TOKLEN));
}

/** True when node `c`'s token is the `len` bytes at `tok`. */
// @ts-ignore: decorator
@inline function tokenIs(c: usize, tok: usize, len: usize): bool {
  return <usize>load<u16>(c + N_TOKLEN) == len && bytesEqual(c + N_TOKEN, tok, len);
}

/** The child of `n` whose token is `len` bytes at `tok` with hash `h`, or 0. */
export function childFind(n: usize, tok: usize, len: usize, h: u32): usize {
  const cap = capGet(n + N_CHILD_CAP);
  if (cap == 0) {
    const lone = <usize>load<u32>(n, 4);
    return lone != 0 && tokenIs(lone, tok, len) ? lone : 0;
  }
  const table = <usize>load<u32>(n, 4);
  const mask = cap - 1;
  let i = mix(h) & mask;
  while (true) {
    const e = table + (<usize>i << 3);
    const c = <usize>load<u32>(e, 4);
    if (c == 0) return 0;
    if (load<u32>(e) == h && tokenIs(c, tok, len)) return c;
    i = (i + 1) & mask;
  }
}

function tablePut(table: usize, mask: u32, h: u32, c: usize): void {
  let i = mix(h) & mask;
  while (load<u32>(table + (<usize>i << 3), 4) != 0) i = (i + 1) & mask;
  store<u32>(table + (<usize>i << 3), h);
  store<u32>(table + (<usize>i << 3), <u32>c, 4);
}

/**
 * Re-creates the child table of `n` with `cap` slots. Capacity 0 releases the table and keeps the
 * lone remaining child (if any) inline; a lone inline child moves into a new table.
 */
function childRehash(n: usize, cap: u32): void {
  const oldCap = capGet(n + N_CHILD_CAP);
  const old = <usize>load<u32>(n, 4);
  let field: usize = 0;
  if (cap != 0) {
    field = allocBlock(<usize>cap << 3);
    memory.fill(field, 0, <usize>cap << 3);
    if (oldCap == 0 && old != 0) tablePut(field, cap - 1, hashBytes(old + N_TOKEN, load<u16>(old + N_TOKLEN)), old);
  }
  for (let i: u32 = 0; i < oldCap; i++) {
    const e = old + (<usize>i << 3);
    const c = <usize>load<u32>(e, 4);
    if (c == 0) continue;
    if (cap != 0) tablePut(field, cap - 1, load<u32>(e), c);
    else field = c;
  }
  if (oldCap != 0) freeBlock(old, <usize>oldCap << 3);
  capSet(n + N_CHILD_CAP, cap);
  store<u32>(n, <u32>field, 4);
}

/** Adds child `c` (token hash `h`, not already present) to `n`. Load stays <= 3/4 so probes end. */
export function childAdd(n: usize, c: usize, h: u32): void {
  const count = load<u32>(n) + 1;
  store<u32>(n, count);
  if (count == 1) {
    store<u32>(n, <u32>c, 4); // a lone child goes inline
    return;
  }
  let cap = capGet(n + N_CHILD_CAP);
  if (count * 4 > cap * 3) {
    let want: u32 = cap == 0 ? 2 : cap;
    while (count * 4 > want * 3) want <<= 1;
    childRehash(n, want);
    cap = want;
  }
  tablePut(<usize>load<u32>(n, 4), cap - 1, h, c);
}

/** Removes child `c` (token hash `h`) from `n`; shrinks the table when it is mostly empty. */
export function childRemove(n: usize, c: usize, h: u32): void {
  const count = load<u32>(n) - 1;
  store<u32>(n, count);
  const cap = capGet(n + N_CHILD_CAP);
  if (cap == 0) {
    store<u32>(n, 0, 4); // it was the lone inline child
    return;
  }
  const table = <usize>load<u32>(n, 4);
  const mask = cap - 1;
  let i = mix(h) & mask;
  while (<usize>load<u32>(table + (<usize>i << 3), 4) != c) i = (i + 1) & mask;
  // Backward-shift deletion: pull later entries of the probe run into the hole.
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const e = table + (<usize>j << 3);
    if (load<u32>(e, 4) == 0) break;
    const k = mix(load<u32>(e)) & mask;
    if (j > i ? (k <= i || k > j) : (k <= i && k > j)) {
      store<u64>(table + (<usize>i << 3), load<u64>(e));
      i = j;
    }
  }
  store<u64>(table + (<usize>i << 3), 0);
  if (count <= 1) childRehash(n, 0);
  else if (cap > 8 && count * 8 < cap) childRehash(n, cap >> 1);
}

/** True when a node holds nothing and can be unlinked. */
export function nodeIsEmpty(n: usize): bool {
  return load<u32>(n) == 0 && load<u32>(n, N_PLUS) == 0 && load<u32>(n, N_WILD) == 0 &&
    load<u32>(n, N_SUBS) == 0 && load<u32>(n, N_SHARED) == 0;
}

/**
 * Unlinks and frees the emptied tail of a walked path: `path` holds the node of each depth
 * (path[0] = root, path[d] reached through level d - 1 whose hash is `hashAt(d - 1)`), so churn
 * leaves no dead branches behind.
 */
export function nodePrune(path: usize, depth: u32, hashes: usize): void {
  for (let d = depth; d > 0; d--) {
    const n = <usize>load<u32>(path + (<usize>d << 2));
    if (!nodeIsEmpty(n)) return;
    const parent = <usize>load<u32>(path + (<usize>(d - 1) << 2));
    if (<usize>load<u32>(parent, N_PLUS) == n) store<u32>(parent, 0, N_PLUS);
    else if (<usize>load<u32>(parent, N_WILD) == n) store<u32>(parent, 0, N_WILD);
    else childRemove(parent, n, load<u32>(hashes + (<usize>(d - 1) << 2)));
    nodeFree(n);
  }
}
