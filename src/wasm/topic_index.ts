/**
 * Topic index facade: MQTT subscriptions (with `+`, `#` and `$share/{group}/`) and retained topics,
 * both tries living in WebAssembly memory (wasm/assembly/topics/). Topics and filters cross as
 * bytes written straight into the module's input buffer; results are read from WASM tables through
 * typed-array views, so `match` and `retainedMatch` allocate nothing per call.
 *
 * The result objects are reused: read them before the next call on the same index.
 */
import { createTopicsWasm, loadTopicsWasm, type TopicsExports } from "./topics_instance.ts";
import { MatchResult, RetainedResult, type Views } from "./topic_results.ts";

export { MatchResult, RetainedResult };

/** `subscribe` result: a new subscription. */
export const SUBSCRIBE_NEW = 0;
/** `subscribe` result: replaced this subscriber's subscription to the same filter (Retain Handling 1). */
export const SUBSCRIBE_REPLACED = 1;
/** Reason code 0x8F TopicFilterInvalid (subscribe / unsubscribe / retainedMatch). */
export const TOPIC_FILTER_INVALID = 0x8f;
/** Reason code 0x90 TopicNameInvalid (retainedSet). */
export const TOPIC_NAME_INVALID = 0x90;
/** `unsubscribe` result: removed (UNSUBACK Success). */
export const UNSUBSCRIBE_SUCCESS = 0x00;
/** `unsubscribe` result: UNSUBACK 0x11 No subscription existed. */
export const NO_SUBSCRIPTION_EXISTED = 0x11;

/** Option bits of a subscription (the MQTT 5 subscription options byte). */
export const OPT_QOS_MASK = 0x03;
export const OPT_NO_LOCAL = 0x04;
export const OPT_RETAIN_AS_PUBLISHED = 0x08;

/** A topic or filter: UTF-8 bytes, or a string encoded straight into WASM memory. */
export type TopicInput = Uint8Array | string;

const H_INPUT = 0, H_INPUT_CAP = 1;
const encoder = new TextEncoder();

/** Subscription and retained-topic index over one WASM instance. */
export class TopicIndex implements Views {
  #wasm: TopicsExports;
  #input!: Uint8Array;
  u8!: Uint8Array;
  u32!: Uint32Array;
  readonly header: number;
  /** Reused result of `match`. */
  readonly #match: MatchResult;
  /** Reused result of `retainedMatch`. */
  readonly #retained: RetainedResult;

  constructor(wasm: TopicsExports) {
    this.#wasm = wasm;
    this.header = wasm.topicsHeader() >>> 2;
    this.#match = new MatchResult(this);
    this.#retained = new RetainedResult(this);
    this.#views();
  }

  /**
   * Re-creates the views if memory grew (any call may grow it). Growth detaches the old buffer (the
   * memory is not shared), which empties the views: checking that costs less than `memory.buffer`.
   */
  refresh(): void {
    if (this.u8.byteLength === 0) this.#views();
  }

  #views(): void {
    const buf = this.#wasm.memory.buffer;
    this.u8 = new Uint8Array(buf);
    this.u32 = new Uint32Array(buf);
    const ptr = this.u32[this.header + H_INPUT], cap = this.u32[this.header + H_INPUT_CAP];
    this.#input = this.u8.subarray(ptr, ptr + cap);
  }

  /** Writes a topic/filter into the input buffer; returns its byte length. */
  #write(t: TopicInput, offset = 0, length = -1): number {
    return typeof t === "string" ? this.#writeString(t) : this.#writeBytes(t, offset, length);
  }

  // Strings and bytes take separate paths, and `match` dispatches by itself, so the JIT sees one
  // input type per path: matching bytes stays fast even when subscriptions arrive as strings.
  #writeString(t: string): number {
    if (t.length * 3 > this.#input.length) this.#reserve(t.length * 3);
    return encoder.encodeInto(t, this.#input).written;
  }

  #writeBytes(t: Uint8Array, offset: number, length: number): number {
    const len = length < 0 ? t.length - offset : length;
    if (len > this.#input.length) this.#reserve(len);
    const dst = this.#input;
    if (len < 64) for (let i = 0; i < len; i++) dst[i] = t[offset + i];
    else dst.set(offset === 0 && len === t.length ? t : t.subarray(offset, offset + len));
    return len;
  }

  #reserve(len: number): void {
    this.#wasm.topicsReserve(len);
    this.#views();
  }

  /**
   * Subscribes `subscriberId` (a small dense integer) to `filter`, which may be `$share/{group}/{filter}`.
   * `options` is the MQTT 5 subscription options byte (QoS bits 0-1, No Local bit 2, Retain As
   * Published bit 3, Retain Handling bits 4-5); `subscriptionId` 0 means none.
   * @returns SUBSCRIBE_NEW, SUBSCRIBE_REPLACED or TOPIC_FILTER_INVALID (nothing stored).
   */
  subscribe(filter: TopicInput, subscriberId: number, options: number, subscriptionId = 0): number {
    const len = this.#write(filter);
    const code = this.#wasm.topicsSubscribe(len, subscriberId, options, subscriptionId);
    this.refresh();
    return code;
  }

  /** Removes a subscription. @returns UNSUBSCRIBE_SUCCESS, NO_SUBSCRIPTION_EXISTED or TOPIC_FILTER_INVALID. */
  unsubscribe(filter: TopicInput, subscriberId: number): number {
    const code = this.#wasm.topicsUnsubscribe(this.#write(filter), subscriberId);
    this.refresh();
    return code === 1 ? UNSUBSCRIBE_SUCCESS : code === 0 ? NO_SUBSCRIPTION_EXISTED : code;
  }

  /**
   * Subscribers of a topic name (bytes `offset .. offset+length` of `topic`, or a string):
   * one folded entry per subscriber, plus one entry per matching shared group. Reused object.
   */
  match(topic: TopicInput, offset = 0, length = -1): MatchResult {
    const len = typeof topic === "string" ? this.#writeString(topic) : this.#writeBytes(topic, offset, length);
    const count = this.#wasm.topicsMatch(len);
    this.refresh();
    this.#match.load(count);
    return this.#match;
  }

  /** Stores `messageId` as the retained message of `topic`. @returns 0 new, 1 replaced, TOPIC_NAME_INVALID. */
  retainedSet(topic: TopicInput, messageId: number): number {
    const code = this.#wasm.retainedSet(this.#write(topic), messageId);
    this.refresh();
    return code;
  }

  /** Removes the retained message of `topic`. @returns its message id, or -1 when there was none. */
  retainedDelete(topic: TopicInput): number {
    return this.#wasm.retainedDelete(this.#write(topic)) - 1;
  }

  /** Message ids of the retained topics `filter` matches (`$` rule applied). Reused object; count -1 if invalid. */
  retainedMatch(filter: TopicInput): RetainedResult {
    const count = this.#wasm.retainedMatch(this.#write(filter));
    this.refresh();
    this.#retained.load(count);
    return this.#retained;
  }

  /** Number of retained topics stored. */
  get retainedCount(): number { return this.#wasm.retainedSize(); }

  /** True for a valid topic name (non-empty, no wildcards, no U+0000). */
  validTopicName(topic: TopicInput): boolean { return this.#wasm.topicsValidTopic(this.#write(topic)) === 1; }

  /** True for a valid topic filter (the `$share/` prefix is not interpreted). */
  validTopicFilter(filter: TopicInput): boolean { return this.#wasm.topicsValidFilter(this.#write(filter)) === 1; }

  /** Memory figures: bytes in use by the tries, bytes reserved for them, and the whole WASM memory. */
  memoryStats(): { liveBytes: number; reservedBytes: number; memoryBytes: number } {
    return {
      liveBytes: this.#wasm.topicsLiveBytes(),
      reservedBytes: this.#wasm.topicsReservedBytes(),
      memoryBytes: this.#wasm.memory.buffer.byteLength,
    };
  }
}

/** A new, empty topic index (synchronous compile: servers, workers, tests). */
export function createTopicIndex(): TopicIndex {
  return new TopicIndex(createTopicsWasm());
}

/** A new, empty topic index (asynchronous compile: any runtime, including a browser's main thread). */
export async function loadTopicIndex(): Promise<TopicIndex> {
  return new TopicIndex(await loadTopicsWasm());
}
