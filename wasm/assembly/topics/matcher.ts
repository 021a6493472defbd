// Match a topic name against the subscription trie. The walk is iterative (it follows exact children
// and keeps an explicit stack of (node, level) pairs for `+` branches in linear memory) and touches
// only branches the topic can match: the exact child (one hash probe), the `+` child and the `#`
// child of each visited node. Overlapping subscriptions of one subscriber fold into one output entry
// (see fold.ts; a lone matching set is returned in place), and nothing is allocated per call.
import { inputPtr, lvHash, lvLen, lvStart, splitLevels } from "./levels";
import { N_PLUS, N_SHARED, N_SUBS, N_WILD, childFind } from "./node";
import { H_MEMBERS, H_MEMBER_COUNT, H_SHARED, H_SHARED_COUNT, H_STACK, hset, tableFor } from "./out";
import { foldBegin, foldEnd, foldSet } from "./fold";
import { G_NEXT, G_SET, subRoot } from "./subscriptions";

let sharedCount: u32 = 0;
let memberCount: u32 = 0;

/** Emits one shared group and copies its members (the broker picks one of them). */
function emitGroup(g: usize): void {
  const set = g + G_SET;
  const count = load<u32>(set);
  const entries = <usize>load<u32>(set, 4);
  const members = tableFor(H_MEMBERS, (memberCount + count) * 3) + <usize>memberCount * 12;
  for (let i: u32 = 0; i < count; i++) {
    const s = entries + (<usize>i << 3);
    const m = members + <usize>i * 12;
    const word = load<u32>(s, 4);
    store<u32>(m, load<u32>(s));
    store<u32>(m, word & 0x0f, 4);
    store<u32>(m, word >>> 4, 8);
  }
  const e = tableFor(H_SHARED, (sharedCount + 1) << 2) + (<usize>sharedCount << 4);
  store<u32>(e, <u32>g);
  store<u32>(e, memberCount, 4);
  store<u32>(e, count, 8);
  store<u32>(e, 0, 12);
  memberCount += count;
  sharedCount++;
}

/** Collects the ordinary and shared subscriptions stored at `node`. */
function collect(node: usize): void {
  if (load<u32>(node, N_SUBS) != 0) foldSet(node + N_SUBS);
  for (let g = <usize>load<u32>(node, N_SHARED); g != 0; g = <usize>load<u32>(g, G_NEXT)) emitGroup(g);
}

// @ts-ignore: decorator
@inline function push(stack: usize, depth: u32, node: usize, lv: u32): usize {
  stack = tableFor(H_STACK, (depth + 1) << 1);
  store<u32>(stack + (<usize>depth << 3), <u32>node);
  store<u32>(stack + (<usize>depth << 3), lv, 4);
  return stack;
}

/**
 * Matches the `len`-byte topic in the input buffer. Returns the number of subscriber entries;
 * the header holds the table addresses and the shared-group, member and identifier counts.
 */
export function match(len: usize): u32 {
  sharedCount = 0;
  memberCount = 0;
  foldBegin();
  const n = splitLevels(inputPtr, len);
  const dollar = len > 0 && load<u8>(inputPtr) == 0x24;
  let stack = push(0, 0, subRoot, 0);
  let depth: u32 = 1;
  while (depth > 0) {
    depth--;
    let node = <usize>load<u32>(stack + (<usize>depth << 3));
    let lv = load<u32>(stack + (<usize>depth << 3), 4);
    // Descend through exact children; only `+` branches wait on the stack.
    while (true) {
      const wild = <usize>load<u32>(node, N_WILD);
      if (lv == n) {
        collect(node);
        if (wild != 0) collect(wild); // "a/#" matches "a" [MQTT-4.7.1-2]
        break;
      }
      // Wildcards at the first level do not match topics starting with '$' [MQTT-4.7.2-1].
      if (lv != 0 || !dollar) {
        if (wild != 0) collect(wild);
        const plus = <usize>load<u32>(node, N_PLUS);
        if (plus != 0) stack = push(stack, depth++, plus, lv + 1);
      }
      node = childFind(node, lvStart(lv), lvLen(lv), lvHash(lv));
      if (node == 0) break;
      lv++;
    }
  }
  const subCount = foldEnd();
  hset(H_SHARED_COUNT, sharedCount);
  hset(H_MEMBER_COUNT, memberCount);
  return subCount;
}
