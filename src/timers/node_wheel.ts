/**
 * A hashed timer wheel over intrusive nodes: the four link fields live on the caller's own object
 * (a connection's state), so arming, re-arming and disarming allocate nothing and need no map from
 * key to entry. One array of slots, each slot a doubly linked list of the nodes due in that tick;
 * set/delete are O(1). Same idea as eclipse/mosquitto's keepalive.c, whose list pointers sit in the
 * client struct.
 *
 * Nodes whose due time lies beyond one revolution simply stay in their slot and are skipped until
 * their round comes; with 1024 slots of 100 ms a revolution is ~102 s, so a deadline a day away
 * costs one skipped look every 102 s.
 *
 * TimerWheel (wheel.ts) puts a keyed API on top of this for callers without a node of their own.
 */

import { unrefTimer } from "./unref.ts";

/** The fields a NodeWheel links through. A new node must start with `wheelSlot = WHEEL_IDLE`. */
export interface WheelNode {
  /** Due time in ms (meaningful while armed). */
  wheelDue: number;
  /** Slot index while armed; WHEEL_IDLE when not armed; WHEEL_PENDING while collected for firing. */
  wheelSlot: number;
  wheelPrev: WheelNode | null;
  wheelNext: WheelNode | null;
}

/** wheelSlot of a node that is not armed. */
export const WHEEL_IDLE = -1;
/** wheelSlot of a node collected for firing but not yet fired (it is in no slot list). */
const PENDING = -2;

/** Options for NodeWheel. */
export interface NodeWheelOptions<N> {
  /** Slot width and start() interval in ms; nodes fire at most this long after they are due. */
  tickMs: number;
  /** Called for each due node, in due order, after it has been disarmed (so it may be re-set). */
  onExpire: (node: N) => void;
  /** Clock used by start() and for the initial cursor; default Date.now() (looked up per call). */
  now?: () => number;
  /** Number of slots, rounded up to a power of two; default 1024. */
  slots?: number;
}

/** Default slot count: ~102 s per revolution at 100 ms ticks. */
const DEFAULT_SLOTS = 1024;

/** Hashed wheel of intrusive deadlines, driven by advance() (manually, by start(), or by a Ticker). */
export class NodeWheel<N extends WheelNode> {
  private readonly tickMs: number;
  private readonly onExpire: (node: N) => void;
  private readonly now: () => number;
  private readonly mask: number;
  private readonly heads: (WheelNode | null)[];
  private count = 0;
  /** Absolute tick number processed last; its slot is re-scanned because it may be half over. */
  private cursor: number;
  private interval: ReturnType<typeof setInterval> | undefined = undefined;
  /** Reused between advances so firing allocates nothing in the common case. */
  private readonly expired: N[] = [];

  constructor(opts: NodeWheelOptions<N>) {
    if (!(opts.tickMs > 0)) throw new RangeError("NodeWheel: tickMs must be > 0");
    this.tickMs = opts.tickMs;
    this.onExpire = opts.onExpire;
    this.now = opts.now ?? (() => Date.now()); // late-bound so faked Date (mock.timers) is seen
    let n = 1;
    while (n < (opts.slots ?? DEFAULT_SLOTS)) n *= 2;
    this.mask = n - 1;
    this.heads = new Array<WheelNode | null>(n).fill(null);
    this.cursor = Math.floor(this.now() / this.tickMs);
  }

  /** Number of armed nodes. */
  get size(): number {
    return this.count;
  }

  /** Whether `node` is armed (in this wheel: a node belongs to at most one wheel at a time). */
  has(node: N): boolean {
    return node.wheelSlot !== WHEEL_IDLE;
  }

  /**
   * Arms (or re-arms) `node` to fire at `dueAtMs`; a past due time fires on the next advance.
   * @throws RangeError if dueAtMs is NaN.
   */
  set(node: N, dueAtMs: number): void {
    // NaN would park the node where it can never fire; Infinity is allowed and means "never".
    if (Number.isNaN(dueAtMs)) throw new RangeError("NodeWheel.set: due time is NaN");
    const slot = Math.max(Math.floor(dueAtMs / this.tickMs), this.cursor) & this.mask;
    const old = node.wheelSlot;
    node.wheelDue = dueAtMs;
    if (old === slot) return; // same bucket: nothing to relink
    if (old === WHEEL_IDLE) this.count++;
    else if (old !== PENDING) this.unlink(node);
    node.wheelSlot = slot;
    this.link(node);
  }

  /** Disarms `node`; returns whether it was armed. */
  delete(node: N): boolean {
    const slot = node.wheelSlot;
    if (slot === WHEEL_IDLE) return false;
    if (slot !== PENDING) this.unlink(node);
    node.wheelSlot = WHEEL_IDLE;
    this.count--;
    return true;
  }

  /** Disarms every node. */
  clear(): void {
    for (let i = 0; i < this.heads.length; i++) {
      for (let e = this.heads[i]; e !== null;) {
        const next = e.wheelNext;
        e.wheelSlot = WHEEL_IDLE;
        e.wheelPrev = e.wheelNext = null;
        e = next;
      }
      this.heads[i] = null;
    }
    for (const e of this.expired) e.wheelSlot = WHEEL_IDLE; // detach pending fires too
    this.count = 0;
  }

  /**
   * Fires every node due at or before `nowMs`, in due order. Scans the slots between the last
   * advance and now (at most one revolution, which covers every slot after a long pause).
   */
  advance(nowMs: number): void {
    const target = Math.floor(nowMs / this.tickMs);
    // A clock that went backwards (or NaN) fires nothing; Clock itself never goes backwards.
    if (!(target >= this.cursor)) return;
    const slots = Math.min(target - this.cursor + 1, this.mask + 1);
    for (let i = 0; i < slots; i++) this.collect((this.cursor + i) & this.mask, nowMs);
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

  /** Stops the interval started by start(); armed nodes stay armed. */
  stop(): void {
    if (this.interval === undefined) return;
    clearInterval(this.interval);
    this.interval = undefined;
  }

  /** Moves due nodes of one slot to `expired` (they leave the wheel before any callback runs). */
  private collect(slot: number, nowMs: number): void {
    let e = this.heads[slot];
    while (e !== null) {
      const next = e.wheelNext;
      if (e.wheelDue <= nowMs) {
        this.unlink(e);
        e.wheelSlot = PENDING;
        this.expired.push(e as N);
      }
      e = next;
    }
  }

  private fire(node: N): void {
    // A callback fired earlier in this batch may have re-armed or disarmed this node: skip then.
    if (node.wheelSlot !== PENDING) return;
    node.wheelSlot = WHEEL_IDLE;
    this.count--;
    this.onExpire(node);
  }

  private rearmIfPending(node: N): void {
    if (node.wheelSlot !== PENDING) return;
    node.wheelSlot = this.cursor & this.mask;
    this.link(node);
  }

  private link(e: WheelNode): void {
    const head = this.heads[e.wheelSlot];
    e.wheelPrev = null;
    e.wheelNext = head;
    if (head !== null) head.wheelPrev = e;
    this.heads[e.wheelSlot] = e;
  }

  private unlink(e: WheelNode): void {
    if (e.wheelPrev !== null) e.wheelPrev.wheelNext = e.wheelNext;
    else this.heads[e.wheelSlot] = e.wheelNext;
    if (e.wheelNext !== null) e.wheelNext.wheelPrev = e.wheelPrev;
    e.wheelPrev = e.wheelNext = null;
  }
}

function byDue(a: WheelNode, b: WheelNode): number {
  return a.wheelDue - b.wheelDue;
}
