/**
 * Result views over the topic module's output tables (see docs/WASM_ABI.md, "Topic index"); when a
 * single subscriber set matched, the entries are that set's own block, read in place. One instance
 * of each per TopicIndex, reloaded by every call: no allocation per match. Any later call on the
 * index (subscribe and unsubscribe too) may change what a result reads.
 */

/** What a result needs from its index: current views and the header's word index. */
export interface Views {
  readonly u32: Uint32Array;
  readonly header: number;
}

// Header words (wasm/assembly/topics/out.ts).
const H_SUBIDS = 3, H_SHARED = 4, H_MEMBERS = 5, H_RETAINED = 6;
const H_SHARED_COUNT = 9, H_SUB_OUT = 13;
/** Bit 31 of an entry's subscriber id: its identifiers are a cell list (see topics/fold.ts). */
const LIST = 0x80000000;

/**
 * Subscribers of one topic. Ordinary subscriptions: `count` entries, one per subscriber, with
 * overlapping subscriptions folded (max QoS, No Local only if all have it, Retain As Published if
 * any has it, every subscription identifier). Shared subscriptions: `sharedCount` groups, one per
 * matching (share name, filter), each with its members; the broker delivers to one member.
 */
export class MatchResult {
  /** Number of ordinary subscriber entries. */
  count = 0;
  /** Number of matching shared groups. */
  sharedCount = 0;
  #v: Views;
  #subs = 0;
  #shared = 0;
  #members = 0;

  constructor(views: Views) { this.#v = views; }

  /** @internal Called by the index after a match. */
  load(count: number): void {
    const u32 = this.#v.u32, h = this.#v.header;
    this.count = count;
    this.sharedCount = u32[h + H_SHARED_COUNT];
    this.#subs = u32[h + H_SUB_OUT] >>> 2;
    this.#shared = u32[h + H_SHARED] >>> 2;
    this.#members = u32[h + H_MEMBERS] >>> 2;
  }

  /** Subscriber id of entry `i`. */
  subscriber(i: number): number { return (this.#v.u32[this.#subs + (i << 1)] & ~LIST) >>> 0; }
  /** Folded options of entry `i`: QoS bits 0-1, No Local bit 2, Retain As Published bit 3. */
  options(i: number): number { return this.#v.u32[this.#subs + (i << 1) + 1] & 0x0f; }
  /** Maximum QoS granted over the subscriber's matching subscriptions. */
  qos(i: number): number { return this.#v.u32[this.#subs + (i << 1) + 1] & 3; }
  /** True when every matching subscription has No Local (then skip the publisher itself). */
  noLocal(i: number): boolean { return (this.#v.u32[this.#subs + (i << 1) + 1] & 4) !== 0; }
  /** True when any matching subscription has Retain As Published. */
  retainAsPublished(i: number): boolean { return (this.#v.u32[this.#subs + (i << 1) + 1] & 8) !== 0; }

  /** Number of subscription identifiers of entry `i`. */
  subscriptionIdCount(i: number): number {
    const u32 = this.#v.u32, at = this.#subs + (i << 1);
    const high = u32[at + 1] >>> 4;
    if ((u32[at] & LIST) === 0) return high === 0 ? 0 : 1;
    const base = u32[this.#v.header + H_SUBIDS] >>> 2;
    let n = 0;
    for (let cell = high; cell !== 0; cell = u32[base + ((cell - 1) << 1) + 1]) n++;
    return n;
  }

  /** Subscription identifiers of entry `i` (allocates only when there are some). */
  subscriptionIds(i: number): number[] | undefined {
    const u32 = this.#v.u32, at = this.#subs + (i << 1);
    const high = u32[at + 1] >>> 4;
    if (high === 0) return undefined;
    if ((u32[at] & LIST) === 0) return [high];
    const base = u32[this.#v.header + H_SUBIDS] >>> 2;
    const ids: number[] = [];
    for (let cell = high; cell !== 0; cell = u32[base + ((cell - 1) << 1) + 1]) ids.push(u32[base + ((cell - 1) << 1)]);
    return ids;
  }

  /** A key for shared group `g` (stable while the group has members): per-group round-robin state. */
  sharedGroup(g: number): number { return this.#v.u32[this.#shared + (g << 2)]; }
  /** Number of members of shared group `g`. */
  sharedMemberCount(g: number): number { return this.#v.u32[this.#shared + (g << 2) + 2]; }
  /** Subscriber id of member `m` of shared group `g`. */
  sharedSubscriber(g: number, m: number): number { return this.#v.u32[this.#member(g, m)]; }
  /** Subscription options byte of member `m` of shared group `g`. */
  sharedOptions(g: number, m: number): number { return this.#v.u32[this.#member(g, m) + 1]; }
  /** Subscription identifier (0 = none) of member `m` of shared group `g`. */
  sharedSubscriptionId(g: number, m: number): number { return this.#v.u32[this.#member(g, m) + 2]; }

  #member(g: number, m: number): number {
    return this.#members + (this.#v.u32[this.#shared + (g << 2) + 1] + m) * 3;
  }
}

/** Message ids of the retained topics a filter matches. `count` is -1 for an invalid filter. */
export class RetainedResult {
  /** Number of ids (or -1: invalid filter). */
  count = 0;
  #v: Views;
  #ids = 0;

  constructor(views: Views) { this.#v = views; }

  /** @internal Called by the index after a retained match. */
  load(count: number): void {
    this.count = count;
    this.#ids = this.#v.u32[this.#v.header + H_RETAINED] >>> 2;
  }

  /** Message id `i`. */
  id(i: number): number { return this.#v.u32[this.#ids + i]; }
}
