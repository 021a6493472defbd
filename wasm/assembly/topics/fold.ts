// Folding the ordinary subscriptions of one match into one entry per subscriber: max QoS,
// No Local only if every matching subscription has it, Retain As Published if any has it, and
// every subscription identifier [MQTT-3.3.4-2] [MQTT-3.3.4-3].
//
// Output entries have the layout of subscriber-set entries, so the usual match, where one set holds
// every matching ordinary subscription, returns that set's block as is: no copy, nothing to fold.
// A second set copies the output into the H_SUBS table and folds into it. The output is a union of
// duplicate-free sets; merging set S into output O costs either |O| probes of S's own hash table
// (cheap when O is small: "one exact subscriber plus a big wildcard fan-out") or |S| probes of a
// per-match "seen" set that indexes O (cheap when S is small). Matching S entries are marked with
// bit 31 of their subscriber id during the first strategy, so the append pass skips (and unmarks) them.
//
//   output entry (8 bytes): sid, identifier << 4 | options; bit 31 of sid (LIST) set: the entry
//                           folded several identifiers and the high 28 bits are a cell list head
//   sub-id cell (8 bytes):  identifier, next cell index + 1 (0 = end)
import {
  H_SUBIDS, H_SUBID_COUNT, H_SUBS, H_SUB_COUNT, H_SUB_OUT, hget, hset, LIST, seenPut, seenReserve,
  seenReset, tableFor,
} from "./out";
import { subFind } from "./subset";

/** Bit 31 of a set entry's sid while the first strategy runs: already folded into the output. */
const MARK: u32 = 0x80000000;

let subCount: u32 = 0;
let subIdCount: u32 = 0;
/** The output entries: a set's block until a second set is folded in, then the H_SUBS table. */
let outPtr: usize = 0;
let outIsTable = false;
/** Output entries [0, seenUpTo) are indexed in the seen set. */
let seenUpTo: u32 = 0;

/** Starts a match. */
export function foldBegin(): void {
  subCount = 0;
  subIdCount = 0;
  outIsTable = false;
  seenUpTo = 0;
  seenReset();
}

/** Ends a match: publishes the entries' address and the counts; returns the subscriber-entry count. */
export function foldEnd(): u32 {
  hset(H_SUB_OUT, <u32>outPtr);
  hset(H_SUB_COUNT, subCount);
  hset(H_SUBID_COUNT, subIdCount);
  return subCount;
}

/** A new identifier cell (capacity reserved by the caller); returns its index + 1. */
// @ts-ignore: decorator
@inline function newCell(ident: u32, next: u32): u32 {
  const cell = <usize>hget(H_SUBIDS) + (<usize>subIdCount << 3);
  store<u32>(cell, ident);
  store<u32>(cell, next, 4);
  return ++subIdCount;
}

/** Folds subscription entry `s` into output entry `e`. */
// @ts-ignore: decorator
@inline function foldInto(e: usize, s: usize): void {
  const cur = load<u32>(e, 4);
  const word = load<u32>(s, 4);
  const opts = max(cur & 3, word & 3) | (cur & word & 4) | ((cur | word) & 8);
  const ident = word >>> 4;
  let high = cur & ~0x0f;
  if (ident != 0) {
    const sid = load<u32>(e);
    if (sid & LIST) {
      high = newCell(ident, cur >>> 4) << 4;
    } else if (high != 0) {
      high = newCell(ident, newCell(cur >>> 4, 0)) << 4;
      store<u32>(e, sid | LIST);
    } else {
      high = word & ~0x0f;
    }
  }
  store<u32>(e, high | opts, 4);
}

/** Appends subscription entry `s` as a new output entry. */
// @ts-ignore: decorator
@inline function appendEntry(out: usize, s: usize): void {
  store<u64>(out + (<usize>subCount << 3), load<u64>(s));
  subCount++;
}

/** Merges the subscriber set whose header is at `set` (not empty) into the output. */
export function foldSet(set: usize): void {
  const count = load<u32>(set);
  const entries = <usize>load<u32>(set, 4);
  if (subCount == 0) {
    outPtr = entries;
    subCount = count;
    return;
  }
  const out = tableFor(H_SUBS, (subCount + count) << 1);
  if (!outIsTable) memory.copy(out, outPtr, <usize>subCount << 3);
  outPtr = out;
  outIsTable = true;
  tableFor(H_SUBIDS, (subIdCount + (count << 1)) << 1);
  const end = entries + (<usize>count << 3);
  if (subCount * 2 < count) {
    // Probe S for each entry already in the output, then append the rest of S.
    for (let i: u32 = 0; i < subCount; i++) {
      const e = out + (<usize>i << 3);
      const s = subFind(set, load<u32>(e) & ~LIST);
      if (s != 0) {
        foldInto(e, s);
        store<u32>(s, load<u32>(s) | MARK);
      }
    }
    for (let s = entries; s < end; s += 8) {
      const sid = load<u32>(s);
      if (sid & MARK) store<u32>(s, sid & ~MARK);
      else appendEntry(out, s);
    }
    return;
  }
  // Probe the seen set (brought up to date) for each entry of S.
  seenReserve(subCount + count, out, seenUpTo);
  for (let i = seenUpTo; i < subCount; i++) seenPut(load<u32>(out + (<usize>i << 3)) & ~LIST, i);
  for (let s = entries; s < end; s += 8) {
    const slot = seenPut(load<u32>(s), subCount);
    if (slot < 0) appendEntry(out, s);
    else foldInto(out + (<usize>slot << 3), s);
  }
  seenUpTo = subCount;
}
