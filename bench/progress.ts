/**
 * Progress lines on stderr while the bench runs (stdout keeps the tables): step k of n, time since
 * the bench started, and an estimate of the time left from what the finished steps took.
 */

/** `75` → "1m15s", `8` → "8s". */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** Elapsed-time and ETA bookkeeping for a run of steps whose durations repeat by kind. */
export class Progress {
  /** Seconds each kind of step last took (a case against one broker repeats once per rep). */
  private readonly taken = new Map<string, number>();
  private stepStart = 0;
  private stepKind = "";

  constructor(
    /** When the whole bench started (elapsed is counted from here). */
    private readonly t0: number,
    private readonly write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  ) {}

  /**
   * Announces step `k` of `n` (1-based) of kind `kind`, e.g. `[bench] e2e run 5 of 168: LABEL ·
   * 1m10s elapsed · about 9m00s left`; `rest` lists the kinds of the steps after it, for the
   * estimate. The previous step is taken to have ended now.
   */
  step(what: string, k: number, n: number, label: string, kind: string, rest: readonly string[]): void {
    this.finish();
    const left = this.estimate([kind, ...rest]);
    this.write(`[bench] ${what} ${k} of ${n}: ${label} · ${clockText((Date.now() - this.t0) / 1000)} elapsed` +
      (left === null ? "" : ` · about ${clockText(left)} left`));
    this.stepStart = Date.now();
    this.stepKind = kind;
  }

  /** Records the running step's time (call after the last step). */
  finish(): void {
    if (this.stepKind !== "") this.taken.set(this.stepKind, (Date.now() - this.stepStart) / 1000);
    this.stepKind = "";
  }

  /** Seconds the given steps should take: each kind's last time, else the mean of all seen. */
  private estimate(kinds: readonly string[]): number | null {
    if (this.taken.size === 0) return null;
    let mean = 0;
    for (const s of this.taken.values()) mean += s;
    mean /= this.taken.size;
    let total = 0;
    for (const k of kinds) total += this.taken.get(k) ?? mean;
    return total;
  }
}
