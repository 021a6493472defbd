/**
 * One microtask flushes every connection written to since the last flush, so a fan-out that
 * writes many packets to one subscriber in the same tick costs one socket write, and scheduling
 * costs no closure or promise per write.
 */

/** Something with queued bytes to hand to its socket. */
export interface Flushable {
  /** Set by scheduleFlush, cleared by the flush itself: avoids queueing a connection twice. */
  flushQueued: boolean;
  /** Hands queued bytes to the socket. */
  flush(): void;
}

import { setImmediate } from "node:timers";

const dirty: Flushable[] = [];
let scheduled = false;

/** Queues `c` for the next flush pass (no-op if already queued). */
export function scheduleFlush(c: Flushable): void {
  if (c.flushQueued) return;
  c.flushQueued = true;
  dirty.push(c);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(flushAll);
  }
}

function flushAll(): void {
  flushEach(dirty);
  scheduled = false;
}

/** Flushes and empties `list`; a throw is reported on its own, the others still flush. */
function flushEach(list: Flushable[]): void {
  // Index loop on purpose: a flush can close a socket whose onClose writes to other connections;
  // those are appended and flushed in this same pass.
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    c.flushQueued = false;
    try {
      c.flush();
    } catch (err) {
      queueMicrotask(() => { throw err; });
    }
  }
  list.length = 0;
}

const late: Flushable[] = [];
let lateScheduled = false;

/**
 * Like scheduleFlush, but after the current batch of I/O events rather than after the current
 * callback: for transports whose runtime calls us once per message (WebSocket), where a
 * microtask flush would write once per received message instead of once per tick.
 */
export function scheduleFlushAfterEvents(c: Flushable): void {
  if (c.flushQueued) return;
  c.flushQueued = true;
  late.push(c);
  if (!lateScheduled) {
    lateScheduled = true;
    setImmediate(flushLate);
  }
}

function flushLate(): void {
  flushEach(late);
  lateScheduled = false;
}
