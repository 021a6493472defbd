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
  // Index loop on purpose: a flush can close a socket whose onClose writes to other connections;
  // those are appended and flushed in this same pass.
  for (let i = 0; i < dirty.length; i++) {
    const c = dirty[i];
    c.flushQueued = false;
    try {
      c.flush();
    } catch (err) {
      queueMicrotask(() => { throw err; });
    }
  }
  dirty.length = 0;
  scheduled = false;
}
