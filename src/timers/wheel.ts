/**
 * A hashed timer wheel: one array of slots, each slot an intrusive doubly linked list of entries
 * due in that tick. set/delete are O(1) and re-setting an existing key reuses its entry, so the
 * broker can hold hundreds of thousands of timers (keep-alive, will delay, session expiry) on one
 * tick instead of one runtime timer per client. Same idea as eclipse/mosquitto's keepalive.c.
 *
 * Keys whose due time lies beyond one revolution simply stay in their slot and are skipped until
 * their round comes; with 1024 slots of 100 ms a revolution is ~102 s, so a session that expires
 * in a day costs one skipped look every 102 s.
 *
 * Will delay and session expiry use this class directly (TimerWheel<string> keyed by client id).
 */

import { unrefTimer } from "./unref.ts";

/** One armed key. Entries are recycled on re-set, so steady-state re-arming allocates nothing. */
interface Entry<K> {
  key: K;
  due: number;
  slot: number;
  prev: Entry<K> | null;
  next: Entry<K> | null;
}

/** Options for TimerWheel. */
export interface TimerWheelOptions<K> {
  /** Slot width and start() interval in ms; keys fire at most this long after they are due. */
  tickMs: number;
  /** Called for each due key, in due order, after the key has been removed (so it may be re-set). */
  onExpire: (key: K) => void;
  /** Clock used by start() and for the initial cursor; default Date.now() (looked up per call). */
  now?: () => number;
  /** Number of slots, rounded up to a power of two; default 1024. */
  slots?: number;
}

/** Entry.slot of an entry collected for firing but not yet fired (it is in no slot list). */
const PENDING = -1;

/** Default slot count: ~102 s per revolution at 100 ms ticks. */
const DEFAULT_SLOTS = 1024;

/** Hashed wheel of keyed deadlines, driven by advance() (manually, by start(), or by a Ticker). */
export class TimerWheel<K> {
  private readonly tickMs: number;
  private readonly onExpire: (key: K) => void;
  private readonly now: () => number;
  private readonly mask: number;
  private readonly heads: (Entry<K> | null)[];
  private readonly entries = new Map<K, Entry<K>>();
  /** Absolute tick number processed last; its slot is re-scanned because it may be half over. */
  private cursor: number;
  private interval: ReturnType<typeof setInterval> | undefined = undefined;
  /** The entry fired last, recycled by the next set() of a new key. */
  private spare: Entry<K> | null = null;
  /** Reused between advances so firing allocates nothing in the common case. */
  private readonly expired: Entry<K>[] = [];

  constructor(opts: TimerWheelOptions<K>) {
    if (!(opts.tickMs > 0)) throw new RangeError("TimerWheel: tickMs must be > 0");
    this.tickMs = opts.tickMs;
    this.onExpire = opts.onExpire;
    this.now = opts.now ?? (() => Date.now()); // late-bound so faked Date (mock.timers) is seen
    let n = 1;
    while (n < (opts.slots ?? DEFAULT_SLOTS)) n *= 2;
    this.mask = n - 1;
    this.heads = new Array<Entry<K> | null>(n).fill(null);
    this.cursor = Math.floor(this.now() / this.tickMs);
  }

  /** Number of armed keys. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether `key` is armed. */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The due time of `key`, or undefined if it is not armed. */
  dueAt(key: K): number | undefined {
    return this.entries.get(key)?.due;
  }

  /**
   * Arms (or re-arms) `key` to fire at `dueAtMs`; a past due time fires on the next advance.
   * @throws RangeError if dueAtMs is NaN.
   */
  set(key: K, dueAtMs: number): void {
    // NaN would park the key where it can never fire; Infinity is allowed and means "never".
    if (Number.isNaN(dueAtMs)) throw new RangeError("TimerWheel.set: due time is NaN");
    const tick = Math.max(Math.floor(dueAtMs / this.tickMs), this.cursor);
    const slot = tick & this.mask;
    let e = this.entries.get(key);
    if (e === undefined) {
      e = this.spare ?? { key, due: 0, slot: PENDING, prev: null, next: null };
      this.spare = null;
      e.key = key;
      this.entries.set(key, e);
    } else if (e.slot === slot) {
      e.due = dueAtMs; // same bucket: nothing to relink
      return;
    } else if (e.slot !== PENDING) {
      this.unlink(e);
    }
    e.due = dueAtMs;
    e.slot = slot;
    this.link(e);
  }

  /** Disarms `key`; returns whether it was armed. */
  delete(key: K): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    if (e.slot !== PENDING) this.unlink(e);
    this.entries.delete(key);
    return true;
  }

  /** Disarms every key. */
  clear(): void {
    for (const e of this.entries.values()) e.slot = PENDING; // detach pending fires too
    this.entries.clear();
    this.heads.fill(null);
  }

  /**
   * Fires every key due at or before `nowMs`, in due order. Scans the slots between the last
   * advance and now (at most one revolution, which covers every slot after a long pause).
   */
  advance(nowMs: number): void {
    const target = Math.floor(nowMs / this.tickMs);
    // A clock that went backwards (or NaN) fires nothing; Clock itself never goes backwards.
    if (!(target >= this.cursor)) return;
    const count = Math.min(target - this.cursor + 1, this.mask + 1);
    for (let i = 0; i < count; i++) this.collect((this.cursor + i) & this.mask, nowMs);
    this.cursor = target;
    const expired = this.expired;
    if (expired.length === 0) return;
    if (expired.length > 1) expired.sort(byDue);
    try {
      for (let i = 0; i < expired.length; i++) this.fire(expired[i]);
    } finally {
      // If a callback threw, the rest stay armed and fire on the next advance.
      for (let i = 0; i < expired.length; i++) this.rearmIfPending(expired[i]);
      expired.length = 0;
    }
  }

  /** Drives advance() from one interval that never keeps the process alive. */
  start(): void {
    if (this.interval !== undefined) return;
    this.interval = setInterval(() => this.advance(this.now()), this.tickMs);
    unrefTimer(this.interval);
  }

  /** Stops the interval started by start(); armed keys stay armed. */
  stop(): void {
    if (this.interval === undefined) return;
    clearInterval(this.interval);
    this.interval = undefined;
  }

  /** Moves due entries of one slot to `expired` (they leave the wheel before any callback runs). */
  private collect(slot: number, nowMs: number): void {
    let e = this.heads[slot];
    while (e !== null) {
      const next = e.next;
      if (e.due <= nowMs) {
        this.unlink(e);
        e.slot = PENDING;
        this.expired.push(e);
      }
      e = next;
    }
  }

  private fire(e: Entry<K>): void {
    // A callback fired earlier in this batch may have re-armed or deleted this key: skip then.
    if (e.slot !== PENDING || this.entries.get(e.key) !== e) return;
    this.entries.delete(e.key);
    // The lazy re-arm pattern (onExpire calls set for the same key) reuses this entry.
    this.spare = e;
    this.onExpire(e.key);
  }

  private rearmIfPending(e: Entry<K>): void {
    if (e.slot !== PENDING || this.entries.get(e.key) !== e) return;
    e.slot = this.cursor & this.mask;
    this.link(e);
  }

  private link(e: Entry<K>): void {
    const head = this.heads[e.slot];
    e.prev = null;
    e.next = head;
    if (head !== null) head.prev = e;
    this.heads[e.slot] = e;
  }

  private unlink(e: Entry<K>): void {
    if (e.prev !== null) e.prev.next = e.next;
    else this.heads[e.slot] = e.next;
    if (e.next !== null) e.next.prev = e.prev;
    e.prev = e.next = null;
  }
}

function byDue<K>(a: Entry<K>, b: Entry<K>): number {
  return a.due - b.due;
}
