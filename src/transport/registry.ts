/**
 * Bookkeeping shared by the adapters: connection ids and the set of live connections a listener
 * must end when it closes.
 */

let lastId = 0;

/** Next process-wide connection id (dense small integers, never reused within a process). */
export function nextConnectionId(): number {
  return ++lastId;
}

/** What the registry needs from a connection. */
export interface Closable {
  end(): void;
  destroy(): void;
  /** Links of the registry's intrusive list: owned by ConnectionRegistry, start both null. */
  registryPrev: Closable | null;
  registryNext: Closable | null;
}

/**
 * How long end() may take (flushing a backlog to a slow reader, waiting for the peer's FIN) before
 * the connection is destroyed: the broker is done with it and must not leak the socket.
 */
export const END_TIMEOUT_MS = 5000;

/**
 * How long a connection the broker ended stays half-closed after its last bytes were sent: its
 * input is read and discarded until the peer closes or this passes. Closing at once, while the peer
 * is still sending (acks in flight, a pipelined SUBSCRIBE after a refused CONNECT), makes the kernel
 * answer with a reset, and the peer may lose the CONNACK / DISCONNECT that says why.
 */
export const LINGER_MS = 2000;

/** How long a closing listener waits for ended connections before destroying them. */
export const CLOSE_GRACE_MS = 2000;

/**
 * Live connections of one listener, as an intrusive doubly linked list through the connections
 * themselves: two fields on an object that exists anyway instead of a Set entry per connection.
 */
export class ConnectionRegistry<C extends Closable> {
  private head: Closable | null = null;
  private count = 0;
  private onEmpty: (() => void) | null = null;

  /**
   * @param endTimeoutMs deadline for each connection's end(), see ListenOptions.endTimeoutMs.
   * @param lingerMs half-closed linger after the last byte, see ListenOptions.lingerMs.
   */
  constructor(readonly endTimeoutMs: number = END_TIMEOUT_MS, readonly lingerMs: number = LINGER_MS) {}

  /** Number of live connections. */
  get size(): number {
    return this.count;
  }

  /** Tracks a newly opened connection. */
  add(c: C): void {
    const head = this.head;
    c.registryPrev = null;
    c.registryNext = head;
    if (head !== null) head.registryPrev = c;
    this.head = c;
    this.count++;
  }

  /** Forgets a closed connection (call right after its onClose); a second call is a no-op. */
  remove(c: C): void {
    if (c.registryPrev === null && this.head !== c) return;
    if (c.registryPrev !== null) c.registryPrev.registryNext = c.registryNext;
    else this.head = c.registryNext;
    if (c.registryNext !== null) c.registryNext.registryPrev = c.registryPrev;
    c.registryPrev = c.registryNext = null;
    this.count--;
    if (this.count === 0 && this.onEmpty !== null) this.onEmpty();
  }

  /** The live connections, newest first (a snapshot: safe to close them while iterating). */
  list(): C[] {
    const out: C[] = [];
    for (let c = this.head; c !== null; c = c.registryNext) out.push(c as C);
    return out;
  }

  /**
   * Ends every live connection (flushing what the broker queued, e.g. a DISCONNECT) and resolves
   * once all have closed; stragglers (a peer not reading) are destroyed after `graceMs`.
   */
  async closeAll(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.count === 0) return;
    const empty = new Promise<void>((resolve) => (this.onEmpty = resolve));
    for (const c of this.list()) c.end();
    const timer = setTimeout(() => {
      for (const c of this.list()) c.destroy();
    }, graceMs);
    try {
      await empty;
    } finally {
      clearTimeout(timer);
      this.onEmpty = null;
    }
  }
}
