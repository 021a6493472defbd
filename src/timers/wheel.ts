/**
 * A keyed timer wheel: NodeWheel (node_wheel.ts) plus a map from key to a recycled entry node, for
 * callers whose keys have no object of their own to carry the links (will delay and session
 * expiry, keyed by client id). set/delete are O(1) and re-setting an existing key reuses its entry.
 */

import { NodeWheel, WHEEL_IDLE, type WheelNode } from "./node_wheel.ts";

/** One armed key. Entries are recycled on re-set, so steady-state re-arming allocates nothing. */
interface Entry<K> extends WheelNode {
  key: K;
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

/** Hashed wheel of keyed deadlines, driven by advance() (manually, by start(), or by a Ticker). */
export class TimerWheel<K> {
  private readonly wheel: NodeWheel<Entry<K>>;
  private readonly entries = new Map<K, Entry<K>>();
  /** The entry fired last, recycled by the next set() of a new key. */
  private spare: Entry<K> | null = null;

  constructor(opts: TimerWheelOptions<K>) {
    const onExpire = opts.onExpire;
    this.wheel = new NodeWheel<Entry<K>>({
      tickMs: opts.tickMs, now: opts.now, slots: opts.slots,
      onExpire: (e) => {
        this.entries.delete(e.key);
        // The lazy re-arm pattern (onExpire calls set for the same key) reuses this entry.
        this.spare = e;
        onExpire(e.key);
      },
    });
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
    return this.entries.get(key)?.wheelDue;
  }

  /**
   * Arms (or re-arms) `key` to fire at `dueAtMs`; a past due time fires on the next advance.
   * @throws RangeError if dueAtMs is NaN.
   */
  set(key: K, dueAtMs: number): void {
    if (Number.isNaN(dueAtMs)) throw new RangeError("TimerWheel.set: due time is NaN");
    let e = this.entries.get(key);
    if (e === undefined) {
      e = this.spare ?? { key, wheelDue: 0, wheelSlot: WHEEL_IDLE, wheelPrev: null, wheelNext: null };
      this.spare = null;
      e.key = key;
      this.entries.set(key, e);
    }
    this.wheel.set(e, dueAtMs);
  }

  /** Disarms `key`; returns whether it was armed. */
  delete(key: K): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    this.wheel.delete(e);
    this.entries.delete(key);
    return true;
  }

  /** Disarms every key. */
  clear(): void {
    this.wheel.clear();
    this.entries.clear();
  }

  /**
   * Fires every key due at or before `nowMs`, in due order. Scans the slots between the last
   * advance and now (at most one revolution, which covers every slot after a long pause).
   */
  advance(nowMs: number): void {
    this.wheel.advance(nowMs);
  }

  /** Drives advance() from one interval that never keeps the process alive. */
  start(): void {
    this.wheel.start();
  }

  /** Stops the interval started by start(); armed keys stay armed. */
  stop(): void {
    this.wheel.stop();
  }
}
