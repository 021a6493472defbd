// The topic module's exports (the only ones): the subscription trie, the retained index and the
// buffers the facade (src/wasm/topic_index.ts) reads. Only numbers cross the boundary.
import { allocLiveBytes, allocReservedBytes } from "./topics/alloc";
import { inputCap, inputPtr, reserveInput, validFilter, validTopic } from "./topics/levels";
import { match } from "./topics/matcher";
import { H_INPUT, H_INPUT_CAP, HEADER, hset } from "./topics/out";
import { retainedDelete, retainedMatch, retainedSet, retainedSize } from "./topics/retained";
import { subscribe, unsubscribe } from "./topics/subscriptions";

/** Address of the header (u32 words, see topics/out.ts). */
export function topicsHeader(): usize { return HEADER; }

/** Makes the input buffer hold `len` bytes; its address and capacity are in the header. */
export function topicsReserve(len: usize): void {
  reserveInput(len);
  hset(H_INPUT, <u32>inputPtr);
  hset(H_INPUT_CAP, <u32>inputCap);
}
topicsReserve(65536);

/** Subscribes (filter in the input buffer): 0 new, 1 replaced, 0x8F invalid filter. */
export function topicsSubscribe(len: usize, sid: u32, opts: u32, ident: u32): i32 {
  return subscribe(inputPtr, len, sid, opts, ident);
}

/** Unsubscribes (filter in the input buffer): 1 removed, 0 absent, 0x8F invalid filter. */
export function topicsUnsubscribe(len: usize, sid: u32): i32 { return unsubscribe(inputPtr, len, sid); }

/** Matches the topic in the input buffer; returns the subscriber-entry count. */
export function topicsMatch(len: usize): u32 { return match(len); }

/** 1 when the input buffer holds a valid topic filter (shared prefix not parsed). */
export function topicsValidFilter(len: usize): i32 { return validFilter(inputPtr, len) ? 1 : 0; }

/** 1 when the input buffer holds a valid topic name. */
export function topicsValidTopic(len: usize): i32 { return validTopic(inputPtr, len) ? 1 : 0; }

export { retainedSet, retainedDelete, retainedMatch, retainedSize };

/** Bytes in use by tries and tables. */
export function topicsLiveBytes(): f64 { return allocLiveBytes(); }

/** Bytes reserved from the heap for tries and tables. */
export function topicsReservedBytes(): f64 { return allocReservedBytes(); }
