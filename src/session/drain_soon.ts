/**
 * "Drain again right after this": sessions that stopped sending mid-backlog (a burst's worth
 * written, or the socket's limit reached while making progress) continue in one setImmediate
 * callback for all of them, after the transport's flush microtask has handed their bytes to the
 * kernel. This keeps the socket busy while the next burst is built, lets other clients' I/O in
 * between bursts, and does not wait for the timer tick when the kernel took everything at once
 * (then no transport drain event comes).
 */

/** What can be drained again; `drainSoonQueued` avoids queueing one twice. */
export interface SoonDrainable {
  drainSoonQueued: boolean;
  /** Drains; must not throw (the callback has no caller to report to). */
  drainGuarded(): void;
}

const due: SoonDrainable[] = [];
let scheduled = false;

/** Queues `s` for the next setImmediate pass. */
export function drainSoon(s: SoonDrainable): void {
  if (s.drainSoonQueued) return;
  s.drainSoonQueued = true;
  due.push(s);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runDue);
  }
}

function runDue(): void {
  scheduled = false;
  const list = due.splice(0);
  for (const s of list) {
    s.drainSoonQueued = false;
    s.drainGuarded();
  }
}
