/**
 * Group commit: operations recorded during one event-loop turn go to the backend as one
 * transaction, scheduled with setImmediate after the first of them, and whatever waited for them
 * (acks held back from clients) runs right after that transaction returns. The next group starts
 * only when the previous one is committed, so an asynchronous backend (Redis) sees them in order.
 *
 * A failed commit (disk full, I/O error) loses nothing already acknowledged: the group is kept,
 * its waiters keep waiting (no ack goes out for an effect not on disk), and it is retried with the
 * operations recorded meanwhile, every `retryMs`, logging the first failure of a streak and then
 * every tenth.
 */
import type { StorageBackend, StoreOp } from "./types.ts";

/** Options for GroupCommit. */
export interface GroupCommitOptions {
  log(message: string): void;
  /** Delay before retrying a failed group. Default 1000 ms. */
  retryMs?: number;
}

/** The operation log's writer: batches operations per tick and runs callbacks after each commit. */
export class GroupCommit {
  private ops: StoreOp[] = [];
  private waiters: Array<() => void> = [];
  private scheduled = false;
  private running: Promise<void> | null = null;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Operations recorded since the start; callers compare it before and after a change. */
  recorded = 0;
  /** Groups committed (for stats and tests). */
  committed = 0;

  constructor(readonly backend: StorageBackend, private readonly opts: GroupCommitOptions) {}

  /** Operations waiting for the next commit. */
  get pending(): number {
    return this.ops.length;
  }

  /** Whether the last commit failed and its group is waiting for a retry. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** Records one operation for the current group. */
  push(op: StoreOp): void {
    this.ops.push(op);
    this.recorded++;
    this.schedule();
  }

  /** Runs `fn` once everything recorded so far is committed (at once when nothing is pending). */
  afterCommit(fn: () => void): void {
    if (this.ops.length === 0 && this.running === null && this.failures === 0) return fn();
    this.waiters.push(fn);
    this.schedule();
  }

  /** Commits everything pending now (shutdown). Rejects with the backend's error when it fails. */
  async flush(): Promise<void> {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    while (this.running !== null) await this.running.catch(() => {});
    if (this.ops.length === 0 && this.waiters.length === 0) return;
    const p = this.run();
    await p;
    if (this.failures > 0) throw new Error(`storage ${this.backend.location}: final commit failed`);
  }

  /**
   * Commits the pending group now when that can finish synchronously (a synchronous backend, no
   * commit in progress, not failing): a connection about to close gets its held acks first.
   */
  commitNow(): void {
    if (this.running !== null || this.retryTimer !== null || this.stopped) return;
    if (this.ops.length === 0 && this.waiters.length === 0) return;
    void this.run();
  }

  /** Stops retrying (the backend is about to close); pending operations stay unwritten. */
  stop(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopped = true;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.scheduled || this.retryTimer !== null) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running === null) void this.run();
    });
  }

  /** Commits the current group, then releases its waiters; chains the next group if one formed. */
  private run(): Promise<void> {
    const ops = this.ops, waiters = this.waiters;
    this.ops = [];
    this.waiters = [];
    const done = () => {
      this.running = null;
      this.failures = 0;
      this.committed++;
      for (const w of waiters) w();
      if (this.ops.length > 0 || this.waiters.length > 0) this.schedule();
    };
    const failed = (err: unknown) => {
      this.running = null;
      this.ops = ops.concat(this.ops); // idempotent operations: the whole group is retried
      this.waiters = waiters.concat(this.waiters);
      if (this.failures++ % 10 === 0) {
        this.opts.log(`storage: commit failed (${this.failures} in a row), acknowledgements held, retrying: ${(err as Error).message ?? err}`);
      }
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.running === null) void this.run();
      }, this.opts.retryMs ?? 1000);
      (this.retryTimer as { unref?: () => void }).unref?.();
    };
    try {
      const r = ops.length > 0 ? this.backend.commit(ops) : undefined;
      if (r instanceof Promise) {
        this.running = r.then(done, failed);
        return this.running;
      }
      done();
    } catch (err) {
      failed(err);
    }
    return Promise.resolve();
  }
}
