// Match a topic name against the subscription trie. The walk is iterative (an explicit stack of
// (node, level) pairs in linear memory) and touches only branches the topic can match: the exact
// child (one hash probe), the `+` child and the `#` child of each visited node. Overlapping
// subscriptions of one subscriber fold into one output entry through a per-subscriber generation
// stamp, so the cost is O(levels + matching subscriptions) and nothing is allocated per call.
import { inputPtr, lvHash, lvLen, lvStart, splitLevels } from "./levels";
import { N_PLUS, N_SHARED, N_SUBS, N_WILD, childFind } from "./node";
import {
  H_MEMBERS, H_MEMBER_COUNT, H_SHARED, H_SHARED_COUNT, H_STACK, H_SUBIDS, H_SUBID_COUNT, H_SUBS,
  H_SUB_COUNT, hset, nextGeneration, stampSlot, tableFor,
} from "./out";
import { ENTRY } from "./subset";
import { G_NEXT, G_SET, subRoot } from "./subscriptions";

let subCount: u32 = 0;
let subIdCount: u32 = 0;
let sharedCount: u32 = 0;
let memberCount: u32 = 0;

/** Folds one matching subscription into its subscriber's entry: max QoS, noLocal AND, RAP OR. */
function fold(sid: u32, ident: u32, opts: u32): void {
  let slot = stampSlot(sid, subCount);
  let e: usize;
  if (slot < 0) {
    e = tableFor(H_SUBS, (subCount + 1) << 2) + (<usize>subCount << 4);
    store<u32>(e, sid);
    store<u32>(e, opts & 0x0f, 4);
    store<u64>(e, 0, 8);
    subCount++;
  } else {
    e = tableFor(H_SUBS, 0) + (<usize>slot << 4);
    const cur = load<u32>(e, 4);
    const qos = max(cur & 3, opts & 3);
    store<u32>(e, qos | (cur & opts & 4) | ((cur | opts) & 8), 4); // [MQTT-3.3.4-2]
  }
  if (ident != 0) {
    // v5 sends the identifiers of every matching subscription [MQTT-3.3.4-3].
    const cell = tableFor(H_SUBIDS, (subIdCount + 1) << 1) + (<usize>subIdCount << 3);
    store<u32>(cell, ident);
    store<u32>(cell, load<u32>(e, 8), 4);
    subIdCount++;
    store<u32>(e, subIdCount, 8);
    store<u32>(e, load<u32>(e, 12) + 1, 12);
  }
}

/** Emits one shared group and copies its members (the broker picks one of them). */
function emitGroup(g: usize): void {
  const set = g + G_SET;
  const cap = load<u32>(set, 4);
  const table = <usize>load<u32>(set, 8);
  const first = memberCount;
  const members = tableFor(H_MEMBERS, (memberCount + load<u32>(set)) * 3);
  for (let i: u32 = 0; i < cap; i++) {
    const s = table + <usize>i * ENTRY;
    const key = load<u32>(s);
    if (key == 0) continue;
    const m = members + <usize>memberCount * 12;
    store<u32>(m, key - 1);
    store<u32>(m, load<u32>(s, 8), 4);
    store<u32>(m, load<u32>(s, 4), 8);
    memberCount++;
  }
  const e = tableFor(H_SHARED, (sharedCount + 1) << 2) + (<usize>sharedCount << 4);
  store<u32>(e, <u32>g);
  store<u32>(e, first, 4);
  store<u32>(e, memberCount - first, 8);
  store<u32>(e, 0, 12);
  sharedCount++;
}

/** Collects the ordinary and shared subscriptions stored at `node`. */
function collect(node: usize): void {
  const cap = load<u32>(node, N_SUBS + 4);
  const table = <usize>load<u32>(node, N_SUBS + 8);
  for (let i: u32 = 0; i < cap; i++) {
    const s = table + <usize>i * ENTRY;
    const key = load<u32>(s);
    if (key != 0) fold(key - 1, load<u32>(s, 4), load<u32>(s, 8));
  }
  for (let g = <usize>load<u32>(node, N_SHARED); g != 0; g = <usize>load<u32>(g, G_NEXT)) emitGroup(g);
}

/**
 * Matches the `len`-byte topic in the input buffer. Returns the number of subscriber entries;
 * the header holds the table addresses and the shared-group, member and identifier counts.
 */
export function match(len: usize): u32 {
  subCount = 0;
  subIdCount = 0;
  sharedCount = 0;
  memberCount = 0;
  nextGeneration();
  const n = splitLevels(inputPtr, len);
  const dollar = len > 0 && load<u8>(inputPtr) == 0x24;
  let stack = tableFor(H_STACK, 2);
  store<u32>(stack, <u32>subRoot);
  store<u32>(stack, 0, 4);
  let depth: u32 = 1;
  while (depth > 0) {
    depth--;
    const node = <usize>load<u32>(stack + (<usize>depth << 3));
    const lv = load<u32>(stack + (<usize>depth << 3), 4);
    const wild = <usize>load<u32>(node, N_WILD);
    if (lv == n) {
      collect(node);
      if (wild != 0) collect(wild); // "a/#" matches "a" [MQTT-4.7.1-2]
      continue;
    }
    const plus = <usize>load<u32>(node, N_PLUS);
    if (lv == 0 && dollar) {
      // Wildcards at the first level do not match topics starting with '$' [MQTT-4.7.2-1].
    } else {
      if (wild != 0) collect(wild);
      if (plus != 0) {
        stack = tableFor(H_STACK, (depth + 1) << 1);
        store<u32>(stack + (<usize>depth << 3), <u32>plus);
        store<u32>(stack + (<usize>depth << 3), lv + 1, 4);
        depth++;
      }
    }
    const child = childFind(node, lvStart(lv), lvLen(lv), lvHash(lv));
    if (child != 0) {
      stack = tableFor(H_STACK, (depth + 1) << 1);
      store<u32>(stack + (<usize>depth << 3), <u32>child);
      store<u32>(stack + (<usize>depth << 3), lv + 1, 4);
      depth++;
    }
  }
  hset(H_SUB_COUNT, subCount);
  hset(H_SUBID_COUNT, subIdCount);
  hset(H_SHARED_COUNT, sharedCount);
  hset(H_MEMBER_COUNT, memberCount);
  return subCount;
}
