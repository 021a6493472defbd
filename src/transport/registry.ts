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
}

/**
 * How long end() may take (flushing a backlog to a slow reader, waiting for the peer's FIN) before
 * the connection is destroyed: the broker is done with it and must not leak the socket.
 */
export const END_TIMEOUT_MS = 5000;

/** How long a closing listener waits for ended connections before destroying them. */
export const CLOSE_GRACE_MS = 2000;

/** Live connections of one listener. */
export class ConnectionRegistry<C extends Closable> {
  private readonly live = new Set<C>();

  /** @param endTimeoutMs deadline for each connection's end(), see ListenOptions.endTimeoutMs. */
  constructor(readonly endTimeoutMs: number = END_TIMEOUT_MS) {}

  private onEmpty: (() => void) | null = null;

  /** Number of live connections. */
  get size(): number {
    return this.live.size;
  }

  /** Tracks a newly opened connection. */
  add(c: C): void {
    this.live.add(c);
  }

  /** Forgets a closed connection (call right after its onClose). */
  remove(c: C): void {
    this.live.delete(c);
    if (this.live.size === 0 && this.onEmpty !== null) this.onEmpty();
  }

  /**
   * Ends every live connection (flushing what the broker queued, e.g. a DISCONNECT) and resolves
   * once all have closed; stragglers (a peer not reading) are destroyed after `graceMs`.
   */
  async closeAll(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.live.size === 0) return;
    const empty = new Promise<void>((resolve) => (this.onEmpty = resolve));
    for (const c of [...this.live]) c.end();
    const timer = setTimeout(() => {
      for (const c of [...this.live]) c.destroy();
    }, graceMs);
    try {
      await empty;
    } finally {
      clearTimeout(timer);
      this.onEmpty = null;
    }
  }
}
