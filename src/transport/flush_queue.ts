/**
 * One microtask flushes every connection written to since the last flush, so a fan-out that
 * writes many packets to one subscriber in the same tick costs one socket write, and scheduling
 * costs no closure or promise per write.
 *
 * Acknowledgements to publishers go through a second, later queue (setImmediate: after the
 * runtime has dispatched the whole batch of ready sockets): when ten publishers' packets arrive
 * together, the ten deliveries leave first and the ten acks after them, instead of each delivery
 * waiting behind the acks of the packets before it; a publisher's acks from several reads also
 * combine into one system call. A connection's bytes stay one FIFO, so a normal write after a
 * late one flushes both, in order, with the next microtask.
 */

/** Something with queued bytes to hand to its socket. */
export interface Flushable {
  /** Set by scheduleFlush, cleared by the flush itself: avoids queueing a connection twice. */
  flushQueued: boolean;
  /** Set by scheduleLateFlush, cleared when the late queue runs. */
  lateQueued: boolean;
  /** Hands queued bytes to the socket. */
  flush(): void;
}

const dirty: Flushable[] = [];
let scheduled = false;
const late: Flushable[] = [];
let lateScheduled = false;

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

/**
 * Queues `c` to be flushed once the runtime has dispatched its current batch of I/O events
 * (no-op if a flush is already queued: that one takes these bytes too).
 */
export function scheduleLateFlush(c: Flushable): void {
  if (c.flushQueued || c.lateQueued) return;
  c.lateQueued = true;
  late.push(c);
  if (!lateScheduled) {
    lateScheduled = true;
    setImmediate(flushLate);
  }
}

function flushAll(): void {
  flushEach(dirty, false);
  scheduled = false;
}

function flushLate(): void {
  flushEach(late, true);
  lateScheduled = false;
}

function flushEach(list: Flushable[], isLate: boolean): void {
  // Index loop on purpose: a flush can close a socket whose onClose writes to other connections;
  // those are appended and flushed in this same pass.
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (isLate) c.lateQueued = false;
    else c.flushQueued = false;
    try {
      c.flush();
    } catch (err) {
      queueMicrotask(() => { throw err; });
    }
  }
  list.length = 0;
}
