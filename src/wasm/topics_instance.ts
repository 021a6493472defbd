/**
 * The topics WebAssembly instance (subscription trie + retained index), one per TopicIndex.
 * Loads from embedded bytes: no file system, works in Node, Deno, Bun and browsers.
 */
import { TOPICS_WASM_BASE64 } from "./generated/topics_wasm.ts";
import { instantiate, instantiateSync } from "./loader.ts";

/** The raw exports of the topics module (see docs/WASM_ABI.md, "Topic index"). */
export interface TopicsExports {
  readonly memory: WebAssembly.Memory;
  topicsHeader(): number;
  topicsReserve(len: number): void;
  topicsSubscribe(len: number, sid: number, opts: number, ident: number): number;
  topicsUnsubscribe(len: number, sid: number): number;
  topicsMatch(len: number): number;
  topicsValidFilter(len: number): number;
  topicsValidTopic(len: number): number;
  retainedSet(len: number, id: number): number;
  retainedDelete(len: number): number;
  retainedMatch(len: number): number;
  retainedSize(): number;
  topicsLiveBytes(): number;
  topicsReservedBytes(): number;
}

/** A new topics instance, compiled synchronously (servers, workers, tests). */
export function createTopicsWasm(): TopicsExports {
  return start(instantiateSync(TOPICS_WASM_BASE64));
}

/** A new topics instance, compiled asynchronously (browsers' main thread, any runtime). */
export async function loadTopicsWasm(): Promise<TopicsExports> {
  return start(await instantiate(TOPICS_WASM_BASE64));
}

/** The typed exports (the loader has already run the module's start function). */
function start(instance: WebAssembly.Instance): TopicsExports {
  return instance.exports as unknown as TopicsExports;
}
