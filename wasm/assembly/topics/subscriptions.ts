// Subscribe / unsubscribe on the subscription trie, including `$share/{ShareName}/{filter}`.
// A shared subscription is stored under its filter's node in a group record (one per share name),
// so matching returns each (group, filter) with its members and the broker picks one.
//
//   group (24 + nameLen bytes): +0 next  +4 name hash  +8 subscriber set (count, block)
//                               +16 name length (u16)  +23 set capacity byte  +24 name bytes
import { allocBlock, freeBlock } from "./alloc";
import { bytesEqual, hashBytes } from "./hash";
import {
  LV_HASH, LV_PLUS, levelHash, levelKind, lvHash, lvLen, lvStart, pathPtr, splitLevels, validFilter,
} from "./levels";
import { N_PLUS, N_SHARED, N_SUBS, N_WILD, childAdd, childFind, nodeNew, nodePrune } from "./node";
import { subClear, subRemove, subUpsert } from "./subset";

export const G_NEXT: usize = 0;
export const G_SET: usize = 8;
const G_NAMELEN: usize = 16;
const G_NAME: usize = 24;

/** Reason code for a malformed filter (MQTT 5 TopicFilterInvalid). */
export const TOPIC_FILTER_INVALID: i32 = 0x8f;

/** Root of the subscription trie. */
export const subRoot: usize = nodeNew(0, 0);

// Filled by parseFilter: the filter proper and the share name (length 0 when not shared).
let filterPtr: usize = 0;
let filterLen: usize = 0;
let sharePtr: usize = 0;
let shareLen: usize = 0;

/** Splits off `$share/{name}/`; false when the filter or share name is malformed. */
function parseFilter(ptr: usize, len: usize): bool {
  filterPtr = ptr;
  filterLen = len;
  shareLen = 0;
  if (len >= 7 && load<u32>(ptr) == 0x61687324 && load<u16>(ptr + 4) == 0x6572 && load<u8>(ptr + 6) == 0x2f) {
    // "$share/": the name runs to the next '/', which must exist and be followed by a filter.
    let p = ptr + 7;
    const end = ptr + len;
    while (p < end && load<u8>(p) != 0x2f) {
      const c = load<u8>(p);
      if (c == 0x2b || c == 0x23 || c == 0) return false; // [MQTT-4.8.2-2]
      p++;
    }
    if (p == ptr + 7 || p >= end) return false; // [MQTT-4.8.2-1]
    sharePtr = ptr + 7;
    shareLen = p - sharePtr;
    filterPtr = p + 1;
    filterLen = end - filterPtr;
  }
  return validFilter(filterPtr, filterLen); // [MQTT-4.7.1-1] .. [MQTT-4.7.1-3]
}

/** Levels of the filter walked last (its path is at `pathPtr`). */
let walkDepth: u32 = 0;

/** The node for the parsed filter's levels (created when `create`), or 0 when absent. */
function walk(create: bool): usize {
  const n = splitLevels(filterPtr, filterLen);
  walkDepth = n;
  let node = subRoot;
  store<u32>(pathPtr, <u32>node);
  for (let i: u32 = 0; i < n; i++) {
    const kind = levelKind(i);
    const field = kind == LV_PLUS ? N_PLUS : kind == LV_HASH ? N_WILD : 0;
    let next: usize = field != 0 ? <usize>load<u32>(node + field) : childFind(node, lvStart(i), lvLen(i), lvHash(i));
    if (next == 0) {
      if (!create) return 0;
      next = nodeNew(lvStart(i), lvLen(i));
      if (field != 0) store<u32>(node + field, <u32>next);
      else childAdd(node, next, lvHash(i));
    }
    node = next;
    store<u32>(pathPtr + (<usize>(i + 1) << 2), <u32>node);
  }
  return node;
}

/** The group named by the parsed share name under `node` (created when `create`), or 0. */
function groupOf(node: usize, create: bool): usize {
  const h = hashBytes(sharePtr, shareLen);
  for (let g = <usize>load<u32>(node, N_SHARED); g != 0; g = <usize>load<u32>(g, G_NEXT)) {
    if (load<u32>(g, 4) == h && <usize>load<u16>(g + G_NAMELEN) == shareLen &&
      bytesEqual(g + G_NAME, sharePtr, shareLen)) return g;
  }
  if (!create) return 0;
  const g = allocBlock(G_NAME + shareLen);
  memory.fill(g, 0, G_NAME);
  store<u32>(g, load<u32>(node, N_SHARED), G_NEXT);
  store<u32>(g, h, 4);
  store<u16>(g + G_NAMELEN, <u16>shareLen);
  memory.copy(g + G_NAME, sharePtr, shareLen);
  store<u32>(node, <u32>g, N_SHARED);
  return g;
}

/** Unlinks and frees an emptied group. */
function groupDrop(node: usize, g: usize): void {
  let at = node + N_SHARED;
  while (<usize>load<u32>(at) != g) at = <usize>load<u32>(at) + G_NEXT;
  store<u32>(at, load<u32>(g, G_NEXT));
  subClear(g + G_SET);
  freeBlock(g, G_NAME + <usize>load<u16>(g + G_NAMELEN));
}

/**
 * Subscribes `sid` (< 2^31) to the `len`-byte filter at `ptr` with delivery options `opts` (QoS,
 * No Local, Retain As Published: the low 4 bits of the MQTT 5 options byte) and subscription
 * identifier `ident` (<= 268,435,455). Returns 0 (new), 1 (replaced this subscriber's subscription
 * to this filter), or 0x8F (invalid filter, nothing stored).
 */
export function subscribe(ptr: usize, len: usize, sid: u32, opts: u32, ident: u32): i32 {
  if (!parseFilter(ptr, len)) return TOPIC_FILTER_INVALID;
  const node = walk(true);
  const set = shareLen != 0 ? groupOf(node, true) + G_SET : node + N_SUBS;
  return subUpsert(set, sid & 0x7fffffff, ident & 0x0fffffff, opts) ? 1 : 0;
}

/** Unsubscribes `sid` from a filter. Returns 1 (removed), 0 (no such subscription) or 0x8F. */
export function unsubscribe(ptr: usize, len: usize, sid: u32): i32 {
  if (!parseFilter(ptr, len)) return TOPIC_FILTER_INVALID;
  sid &= 0x7fffffff;
  const node = walk(false);
  if (node == 0) return 0;
  if (shareLen != 0) {
    const g = groupOf(node, false);
    if (g == 0 || !subRemove(g + G_SET, sid)) return 0;
    if (load<u32>(g, G_SET) == 0) groupDrop(node, g);
  } else if (!subRemove(node + N_SUBS, sid)) {
    return 0;
  }
  nodePrune(pathPtr, walkDepth, levelHash);
  return 1;
}
