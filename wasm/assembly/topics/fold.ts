// Folding the ordinary subscriptions of one match into one entry per subscriber: max QoS,
// No Local only if every matching subscription has it, Retain As Published if any has it, and
// every subscription identifier [MQTT-3.3.4-2] [MQTT-3.3.4-3].
//
// The output is a union of subscriber sets, each duplicate-free. Merging set S into output O costs
// either |O| probes of S's own hash table (cheap when O is small: the usual "one exact subscriber
// plus a big wildcard fan-out") or |S| probes of a per-match "seen" set that indexes O (cheap when
// S is small). Matching S entries are marked with bit 31 of their subscriber id during the first
// strategy, so the append pass skips (and unmarks) them.
//
//   output entry (16 bytes): sid, options, sub-id list head (cell index + 1), sub-id count
//   sub-id cell (8 bytes):   identifier, next cell index + 1 (0 = end)
import { H_SUBIDS, H_SUBID_COUNT, H_SUBS, H_SUB_COUNT, hset, seenPut, seenReserve, seenReset, tableFor } from "./out";
import { subFind } from "./subset";

const MARK: u32 = 0x80000000;

let subCount: u32 = 0;
let subIdCount: u32 = 0;
/** Output entries [0, seenUpTo) are indexed in the seen set. */
let seenUpTo: u32 = 0;

/** Starts a match. */
export function foldBegin(): void {
  subCount = 0;
  subIdCount = 0;
  seenUpTo = 0;
  seenReset();
}

/** Ends a match: publishes the counts; returns the subscriber-entry count. */
export function foldEnd(): u32 {
  hset(H_SUB_COUNT, subCount);
  hset(H_SUBID_COUNT, subIdCount);
  return subCount;
}

/** Adds identifier `ident` (non-zero) to output entry `e`. Capacity reserved by the caller. */
// @ts-ignore: decorator
@inline function addIdent(e: usize, ident: u32): void {
  const cell = <usize>hget3() + (<usize>subIdCount << 3);
  store<u32>(cell, ident);
  store<u32>(cell, load<u32>(e, 8), 4);
  subIdCount++;
  store<u32>(e, subIdCount, 8);
  store<u32>(e, load<u32>(e, 12) + 1, 12);
}

// @ts-ignore: decorator
@inline function hget3(): usize { return tableFor(H_SUBIDS, 0); }

/** Folds subscription entry `s` into output entry `e`. */
// @ts-ignore: decorator
@inline function foldInto(e: usize, s: usize): void {
  const cur = load<u32>(e, 4);
  const word = load<u32>(s, 4);
  store<u32>(e, max(cur & 3, word & 3) | (cur & word & 4) | ((cur | word) & 8), 4);
  const ident = word >>> 4;
  if (ident != 0) addIdent(e, ident);
}

/** Appends subscription entry `s` as a new output entry. */
// @ts-ignore: decorator
@inline function append(out: usize, s: usize): void {
  const e = out + (<usize>subCount << 4);
  const word = load<u32>(s, 4);
  store<u32>(e, load<u32>(s));
  store<u32>(e, word & 0x0f, 4);
  store<u64>(e, 0, 8);
  subCount++;
  const ident = word >>> 4;
  if (ident != 0) addIdent(e, ident);
}

/** Merges the subscriber set whose header is at `set` into the output. */
export function foldSet(set: usize): void {
  const count = load<u32>(set);
  const entries = <usize>load<u32>(set, 4);
  const end = entries + (<usize>count << 3);
  const out = tableFor(H_SUBS, (subCount + count) << 2);
  tableFor(H_SUBIDS, (subIdCount + count) << 1);
  if (subCount == 0 || subCount * 2 < count) {
    // Probe S for each entry already in the output, then append the rest of S.
    for (let i: u32 = 0; i < subCount; i++) {
      const e = out + (<usize>i << 4);
      const s = subFind(set, load<u32>(e));
      if (s != 0) {
        foldInto(e, s);
        store<u32>(s, load<u32>(s) | MARK);
      }
    }
    for (let s = entries; s < end; s += 8) {
      const sid = load<u32>(s);
      if (sid & MARK) store<u32>(s, sid & ~MARK);
      else append(out, s);
    }
    return;
  }
  // Probe the seen set (brought up to date) for each entry of S.
  seenReserve(subCount + count, out, seenUpTo);
  for (let i = seenUpTo; i < subCount; i++) seenPut(load<u32>(out + (<usize>i << 4)), i);
  for (let s = entries; s < end; s += 8) {
    const slot = seenPut(load<u32>(s), subCount);
    if (slot < 0) append(out, s);
    else foldInto(out + (<usize>slot << 4), s);
  }
  seenUpTo = subCount;
}
