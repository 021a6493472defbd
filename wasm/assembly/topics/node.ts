// Trie nodes in linear memory and their children: an open-addressed table (linear probing,
// backward-shift deletion, no tombstones) of (hash, node) pairs, so a level with 100k children is
// still O(1) per lookup. `+` and `#` children sit in their own fields: matching reaches them without
// a probe.
//
//   node (48 + tokenLen bytes):
//   +0  parent      +4  token hash
//   +8  child count +12 child capacity (power of two, 0 = none) +16 child table
//   +20 `+` child   +24 `#` child
//   +28 sub count   +32 sub capacity  +36 sub table   (retained trie: +28 has value, +36 message id)
//   +40 shared group list   +44 token length   +48 token bytes
import { allocBlock, freeBlock } from "./alloc";
import { bytesEqual, mix } from "./hash";

export const N_PARENT: usize = 0;
export const N_HASH: usize = 4;
export const N_CHILDREN: usize = 8; // a child set: count, capacity, table
export const N_PLUS: usize = 20;
export const N_WILD: usize = 24;
export const N_SUBS: usize = 28; // a subscriber set: count, capacity, table
export const N_SHARED: usize = 40;
export const N_TOKLEN: usize = 44;
export const N_TOKEN: usize = 48;

/** A new node with no children and no subscribers. */
export function nodeNew(parent: usize, tok: usize, len: usize, h: u32): usize {
  const n = allocBlock(N_TOKEN + len);
  memory.fill(n, 0, N_TOKEN);
  store<u32>(n, <u32>parent, N_PARENT);
  store<u32>(n, h, N_HASH);
  store<u32>(n, <u32>len, N_TOKLEN);
  memory.copy(n + N_TOKEN, tok, len);
  return n;
}

/** Frees a node (its tables must already be released). */
export function nodeFree(n: usize): void {
  freeBlock(n, N_TOKEN + <usize>load<u32>(n, N_TOKLEN));
}

/** The child of `n` whose token is `len` bytes at `tok` with hash `h`, or 0. */
export function childFind(n: usize, tok: usize, len: usize, h: u32): usize {
  const cap = load<u32>(n, N_CHILDREN + 4);
  if (cap == 0) return 0;
  const table = <usize>load<u32>(n, N_CHILDREN + 8);
  const mask = cap - 1;
  let i = mix(h) & mask;
  while (true) {
    const e = table + (<usize>i << 3);
    const c = <usize>load<u32>(e, 4);
    if (c == 0) return 0;
    if (load<u32>(e) == h && load<u32>(c, N_TOKLEN) == <u32>len && bytesEqual(c + N_TOKEN, tok, len)) return c;
    i = (i + 1) & mask;
  }
}

function tablePut(table: usize, mask: u32, h: u32, c: usize): void {
  let i = mix(h) & mask;
  while (load<u32>(table + (<usize>i << 3), 4) != 0) i = (i + 1) & mask;
  store<u32>(table + (<usize>i << 3), h);
  store<u32>(table + (<usize>i << 3), <u32>c, 4);
}

/** Re-creates the child table of `n` with `cap` slots (0 releases it). */
function childRehash(n: usize, cap: u32): void {
  const oldCap = load<u32>(n, N_CHILDREN + 4);
  const old = <usize>load<u32>(n, N_CHILDREN + 8);
  let table: usize = 0;
  if (cap != 0) {
    table = allocBlock(<usize>cap << 3);
    memory.fill(table, 0, <usize>cap << 3);
    for (let i: u32 = 0; i < oldCap; i++) {
      const e = old + (<usize>i << 3);
      const c = <usize>load<u32>(e, 4);
      if (c != 0) tablePut(table, cap - 1, load<u32>(e), c);
    }
  }
  if (oldCap != 0) freeBlock(old, <usize>oldCap << 3);
  store<u32>(n, cap, N_CHILDREN + 4);
  store<u32>(n, <u32>table, N_CHILDREN + 8);
}

/** Adds child `c` (not already present) to `n`. Load factor stays <= 3/4 so probes end. */
export function childAdd(n: usize, c: usize): void {
  const count = load<u32>(n, N_CHILDREN) + 1;
  let cap = load<u32>(n, N_CHILDREN + 4);
  if (count * 4 > cap * 3) {
    let want: u32 = cap == 0 ? 2 : cap;
    while (count * 4 > want * 3) want <<= 1;
    childRehash(n, want);
    cap = want;
  }
  tablePut(<usize>load<u32>(n, N_CHILDREN + 8), cap - 1, load<u32>(c, N_HASH), c);
  store<u32>(n, count, N_CHILDREN);
}

/** Removes child `c` from `n`; shrinks the table when it is mostly empty. */
export function childRemove(n: usize, c: usize): void {
  const cap = load<u32>(n, N_CHILDREN + 4);
  const table = <usize>load<u32>(n, N_CHILDREN + 8);
  const mask = cap - 1;
  let i = mix(load<u32>(c, N_HASH)) & mask;
  while (<usize>load<u32>(table + (<usize>i << 3), 4) != c) i = (i + 1) & mask;
  // Backward-shift deletion: pull later entries of the probe run into the hole.
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const e = table + (<usize>j << 3);
    if (load<u32>(e, 4) == 0) break;
    const k = mix(load<u32>(e)) & mask;
    const movable = j > i ? (k <= i || k > j) : (k <= i && k > j);
    if (movable) {
      store<u64>(table + (<usize>i << 3), load<u64>(e));
      i = j;
    }
  }
  store<u64>(table + (<usize>i << 3), 0);
  const count = load<u32>(n, N_CHILDREN) - 1;
  store<u32>(n, count, N_CHILDREN);
  if (count == 0) childRehash(n, 0);
  else if (cap > 8 && count * 8 < cap) childRehash(n, cap >> 1);
}

/** True when a node holds nothing and can be unlinked. */
export function nodeIsEmpty(n: usize): bool {
  return load<u32>(n, N_CHILDREN) == 0 && load<u32>(n, N_PLUS) == 0 && load<u32>(n, N_WILD) == 0 &&
    load<u32>(n, N_SUBS) == 0 && load<u32>(n, N_SHARED) == 0;
}

/**
 * Unlinks and frees `n` and then each ancestor left empty, up to (not including) `root`,
 * so churn does not leave dead branches behind.
 */
export function nodePrune(n: usize, root: usize): void {
  while (n != root && nodeIsEmpty(n)) {
    const parent = <usize>load<u32>(n, N_PARENT);
    if (<usize>load<u32>(parent, N_PLUS) == n) store<u32>(parent, 0, N_PLUS);
    else if (<usize>load<u32>(parent, N_WILD) == n) store<u32>(parent, 0, N_WILD);
    else childRemove(parent, n);
    nodeFree(n);
    n = parent;
  }
}
