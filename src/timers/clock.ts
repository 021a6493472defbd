/**
 * One cached clock and one tick for the whole broker. Reading the time on every packet (keep-alive
 * touch, message expiry stamps) would cost a clock call each; instead the tick refreshes a cached
 * millisecond value that everyone reads, and the same tick advances every timer wheel.
 */
import { unrefTimer } from "./unref.ts";

/**
 * A millisecond clock whose value only changes on refresh() (i.e. once per tick). It starts at the
 * source's time and then only moves forward: a wall-clock step backwards (NTP, manual change)
 * counts as zero elapsed time instead of freezing every timer until the wall clock catches up.
 */
export class Clock {
  private ms: number;
  private lastSource: number;

  /** `source` defaults to Date.now(), looked up per call so node:test mock.timers can fake it. */
  constructor(private readonly source: () => number = () => Date.now()) {
    this.ms = this.lastSource = source();
  }

  /** The cached time in ms (accurate to one tick, never decreasing). */
  now(): number {
    return this.ms;
  }

  /** Re-reads the source; returns the new cached time. */
  refresh(): number {
    const s = this.source();
    if (s > this.lastSource) this.ms += s - this.lastSource;
    this.lastSource = s;
    return this.ms;
  }
}

/** Anything advanced by the tick: TimerWheel, KeepAliveMonitor. */
export interface Tickable {
  advance(nowMs: number): void;
}

/** Options for Ticker. */
export interface TickerOptions {
  /** Interval between ticks in ms (Config.keepAliveTickMs, default 100). */
  tickMs: number;
  /** Clock refreshed at the start of every tick. */
  clock: Clock;
}

/** The broker's single interval: refreshes the clock, then advances each registered wheel. */
export class Ticker {
  private readonly tickMs: number;
  private readonly clock: Clock;
  private readonly targets: Tickable[] = [];
  private interval: ReturnType<typeof setInterval> | undefined = undefined;

  constructor(opts: TickerOptions) {
    if (!(opts.tickMs > 0)) throw new RangeError("Ticker: tickMs must be > 0");
    this.tickMs = opts.tickMs;
    this.clock = opts.clock;
  }

  /** Registers a wheel (or monitor) to advance on every tick. */
  add(target: Tickable): void {
    if (!this.targets.includes(target)) this.targets.push(target);
  }

  /** Unregisters a target added with add(). */
  remove(target: Tickable): void {
    const i = this.targets.indexOf(target);
    if (i >= 0) this.targets.splice(i, 1);
  }

  /** One tick: refresh the clock, then advance every target with the same `now`. */
  tick(): void {
    const now = this.clock.refresh();
    let failure: unknown = undefined;
    for (let i = 0; i < this.targets.length; i++) {
      // One failing callback must not starve the other wheels; report it after the loop.
      try {
        this.targets[i].advance(now);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Starts the interval; it is unref'd so it never keeps the process alive on its own. */
  start(): void {
    if (this.interval !== undefined) return;
    this.interval = setInterval(() => this.tick(), this.tickMs);
    unrefTimer(this.interval);
  }

  /** Stops the interval. */
  stop(): void {
    if (this.interval === undefined) return;
    clearInterval(this.interval);
    this.interval = undefined;
  }

  /** Whether start() is in effect. */
  get running(): boolean {
    return this.interval !== undefined;
  }
}
