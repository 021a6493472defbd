/**
 * Event-loop delay, measured on the broker's own tick (no timer of its own): each tick notes how
 * much later than its period it ran. A ring of the last samples gives the mean and the maximum of
 * about the last ten seconds at any time, without resetting on read (several scrapers agree).
 */
import type { Tickable } from "../timers/clock.ts";

const SAMPLES = 128;

/** Tick-lateness monitor; add it to the broker's ticker. */
export class LoopDelayMonitor implements Tickable {
  private readonly ring = new Float64Array(SAMPLES);
  private count = 0;
  private prev = -1;

  constructor(private readonly periodMs: number) {}

  /** Ticker callback; `now` (the broker clock) is ignored: a monotonic clock measures lateness. */
  advance(): void {
    const t = performance.now();
    if (this.prev >= 0) {
      const late = t - this.prev - this.periodMs;
      this.ring[this.count++ % SAMPLES] = late > 0 ? late : 0;
    }
    this.prev = t;
  }

  /** Mean and maximum delay (seconds) over the samples held; zeros before the second tick. */
  read(): { mean: number; max: number } {
    const n = Math.min(this.count, SAMPLES);
    let sum = 0, max = 0;
    for (let i = 0; i < n; i++) {
      const v = this.ring[i];
      sum += v;
      if (v > max) max = v;
    }
    return { mean: n === 0 ? 0 : sum / n / 1000, max: max / 1000 };
  }
}
