// The retained index: a second trie keyed by topic name whose nodes carry a message id (the broker
// keeps the messages in JS by id). A filter walks it: `+` visits every child, `#` the whole
// subtree, a plain level one hash probe; the cost follows what matches, never the store size.
import {
  LV_HASH, LV_PLUS, inputPtr, levelHash, levelKind, lvHash, lvLen, lvStart, pathPtr, splitLevels, validFilter,
  validTopic,
} from "./levels";
import { N_CHILD_CAP, N_SUBS, N_TOKEN, N_TOKLEN, capGet, childAdd, childFind, nodeNew, nodePrune } from "./node";
import { H_RETAINED, H_RETAINED_COUNT, H_STACK, hset, tableFor } from "./out";

const R_HAS: usize = N_SUBS; // 1 when the node holds a retained message
const R_ID: usize = N_SUBS + 4;
const SUBTREE: u32 = 0xffffffff; // stack level meaning "everything below"

/** Reason code for a malformed topic name (MQTT 5 TopicNameInvalid). */
export const TOPIC_NAME_INVALID: i32 = 0x90;

const retRoot: usize = nodeNew(0, 0);
let retainedTotal: u32 = 0;

/** Stores message `id` as the retained message of the topic in the input buffer: 0 new, 1 replaced, 0x90. */
export function retainedSet(len: usize, id: u32): i32 {
  if (!validTopic(inputPtr, len)) return TOPIC_NAME_INVALID;
  const n = splitLevels(inputPtr, len);
  let node = retRoot;
  for (let i: u32 = 0; i < n; i++) {
    let next = childFind(node, lvStart(i), lvLen(i), lvHash(i));
    if (next == 0) {
      next = nodeNew(lvStart(i), lvLen(i));
      childAdd(node, next, lvHash(i));
    }
    node = next;
  }
  const existed = load<u32>(node, R_HAS) != 0;
  store<u32>(node, 1, R_HAS);
  store<u32>(node, id, R_ID);
  if (!existed) retainedTotal++;
  return existed ? 1 : 0;
}

/** Removes the retained message of the topic in the input buffer; returns its id + 1, or 0 if none. */
export function retainedDelete(len: usize): f64 {
  const n = splitLevels(inputPtr, len);
  let node = retRoot;
  store<u32>(pathPtr, <u32>node);
  for (let i: u32 = 0; i < n && node != 0; i++) {
    node = childFind(node, lvStart(i), lvLen(i), lvHash(i));
    store<u32>(pathPtr + (<usize>(i + 1) << 2), <u32>node);
  }
  if (node == 0 || load<u32>(node, R_HAS) == 0) return 0;
  const id = load<u32>(node, R_ID);
  store<u32>(node, 0, R_HAS);
  retainedTotal--;
  nodePrune(pathPtr, n, levelHash);
  return <f64>id + 1;
}

/** Number of retained topics stored. */
export function retainedSize(): u32 { return retainedTotal; }

let stack: usize = 0;
let depth: u32 = 0;
let found: u32 = 0;

/** Puts (node, lv) on the stack (room reserved by the caller). */
// @ts-ignore: decorator
@inline function put(node: usize, lv: u32): void {
  store<u32>(stack + (<usize>depth << 3), <u32>node);
  store<u32>(stack + (<usize>depth << 3), lv, 4);
  depth++;
}

function push(node: usize, lv: u32): void {
  stack = tableFor(H_STACK, (depth + 1) << 1);
  put(node, lv);
}

/** Pushes child `c` unless it is a '$' topic's first level and those are skipped [MQTT-4.7.2-1]. */
// @ts-ignore: decorator
@inline function pushChild(c: usize, lv: u32, skipDollar: bool): void {
  if (skipDollar && load<u16>(c + N_TOKLEN) > 0 && load<u8>(c + N_TOKEN) == 0x24) return;
  put(c, lv);
}

/** Pushes every child of `node`, skipping '$' topics at the first level [MQTT-4.7.2-1]. */
function pushChildren(node: usize, lv: u32, skipDollar: bool): void {
  const count = load<u32>(node);
  if (count == 0) return;
  const cap = capGet(node + N_CHILD_CAP);
  const table = <usize>load<u32>(node, 4);
  stack = tableFor(H_STACK, (depth + count) << 1); // once per node, not per child
  if (cap == 0) return pushChild(table, lv, skipDollar); // a lone child is stored inline
  for (let i: u32 = 0; i < cap; i++) {
    const c = <usize>load<u32>(table + (<usize>i << 3), 4);
    if (c != 0) pushChild(c, lv, skipDollar);
  }
}

function emit(node: usize): void {
  if (load<u32>(node, R_HAS) == 0) return;
  const out = tableFor(H_RETAINED, found + 1);
  store<u32>(out + (<usize>found << 2), load<u32>(node, R_ID));
  found++;
}

/** Message ids of every retained topic the filter in the input buffer matches; -1 if invalid. */
export function retainedMatch(len: usize): i32 {
  if (!validFilter(inputPtr, len)) return -1; // [MQTT-4.7.1-1]
  const n = splitLevels(inputPtr, len);
  found = 0;
  depth = 0;
  push(retRoot, 0);
  while (depth > 0) {
    depth--;
    const node = <usize>load<u32>(stack + (<usize>depth << 3));
    const lv = load<u32>(stack + (<usize>depth << 3), 4);
    if (lv == SUBTREE) {
      emit(node);
      pushChildren(node, SUBTREE, false);
    } else if (lv == n) {
      emit(node);
    } else {
      const kind = levelKind(lv);
      if (kind == LV_HASH) {
        if (lv == 0) pushChildren(node, SUBTREE, true);
        else push(node, SUBTREE); // "a/#" also matches "a"
      } else if (kind == LV_PLUS) {
        pushChildren(node, lv + 1, lv == 0);
      } else {
        const c = childFind(node, lvStart(lv), lvLen(lv), lvHash(lv));
        if (c != 0) push(c, lv + 1);
      }
    }
  }
  hset(H_RETAINED_COUNT, found);
  return <i32>found;
}
