/**
 * Mosquitto's `$SYS/broker/load/...` averages: for each counter, the per-minute rate over the last
 * interval folded into exponentially damped 1, 5 and 15 minute averages, as sys_tree.c computes
 * them (new = rate + e^(-dt/window) * (old - rate), rate in events per minute).
 */

/** The three windows, in seconds, and their topic suffixes. */
export const LOAD_WINDOWS = [[60, "1min"], [300, "5min"], [900, "15min"]] as const;

/** Damped averages of one monotonically increasing counter. */
export class LoadAverage {
  /** Averages per window (same order as LOAD_WINDOWS), in events per minute. */
  readonly values = [0, 0, 0];
  private last: number;

  constructor(initial: number) {
    this.last = initial;
  }

  /** Folds in the counter's value `now`, `dtSec` seconds after the previous update. */
  update(now: number, dtSec: number): void {
    if (!(dtSec > 0)) return;
    const rate = ((now - this.last) * 60) / dtSec; // per minute, as Mosquitto reports
    this.last = now;
    for (let i = 0; i < LOAD_WINDOWS.length; i++) {
      const exponent = Math.exp(-dtSec / LOAD_WINDOWS[i][0]);
      this.values[i] = rate + exponent * (this.values[i] - rate);
    }
  }
}
