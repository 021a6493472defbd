/**
 * Deno adapter: Deno.listen plus one read loop per connection. Deno writes are promises, so at most
 * one is in flight per connection; whatever the broker writes meanwhile collects in a second batch
 * and goes out as the next single write.
 *
 * Every connection has a read pending at all times, and the runtime fills a read's buffer when the
 * data arrives (possibly several connections' in one poll, before any JS runs), so read buffers
 * cannot be shared. Instead each starts small and grows only for a connection whose reads fill it:
 * a quiet device costs READ_BUFFER_MIN bytes, a busy publisher gets the large buffer it needs.
 */
import type { BatchWriter, Connection, ConnectionHandlers } from "./types.ts";
import type { ListenerProtocol } from "../config/listener_config.ts";
import { transportStats, WriteBatch } from "./write_batch.ts";
import { type Flushable, scheduleFlush } from "./flush_queue.ts";
import { ConnectionRegistry, nextConnectionId } from "./registry.ts";
import { unrefTimer } from "../timers/unref.ts";

/** First read buffer of a connection: a CONNECT, PINGREQ or small PUBLISH fits. */
const READ_BUFFER_MIN = 512;
/** A read that fills the buffer makes the next one this many times larger, up to READ_BUFFER_MAX. */
const READ_BUFFER_GROWTH = 4;
/** Largest read buffer (a busy connection reads bursts this large in one call). */
const READ_BUFFER_MAX = 32 * 1024;

/**
 * The subset of Deno.Conn we use (kept local so Bun can type-check this file). Other sockets
 * (src/listeners/tls_deno.ts) reach the same connection class by looking like one.
 */
export interface DenoConn {
  readonly remoteAddr: { hostname?: string; port?: number };
  /** Verified client certificate's subject CN (TLS sources only). */
  readonly peerCommonName?: string;
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay?(on?: boolean): void;
}

/** Where connections come from: Deno.listen, or any source shaped like it. */
export interface DenoListener {
  readonly addr: { port: number };
  accept(): Promise<DenoConn>;
  close(): void;
}

/** What every connection of one listener shares (kept off the per-connection objects). */
export interface Shared {
  readonly handlers: ConnectionHandlers;
  readonly registry: ConnectionRegistry<DenoConnection>;
  readonly protocol: ListenerProtocol;
  readonly useIdentityAsUsername: boolean;
  /** Per-listener connection cap, 0 = none. */
  readonly maxConnections: number;
}

/** A Deno TCP connection with serialized, batched writes. */
export class DenoConnection implements Connection, Flushable {
  readonly id = nextConnectionId();
  context: unknown = undefined;
  flushQueued = false;
  registryPrev: DenoConnection | null = null;
  registryNext: DenoConnection | null = null;
  /** Bytes the broker wrote since the last write started (taken from the pool on demand). */
  private pending: WriteBatch | null = null;
  /** The batch the runtime is writing from. */
  private writing: WriteBatch | null = null;
  private writeInFlight = false;
  /** Bytes were queued behind an in-flight write: report onDrain once all are out. */
  private backlogged = false;
  private paused = false;
  private resumeWaiter: (() => void) | null = null;
  private ending = false;
  private closed = false;
  private endTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(private readonly conn: DenoConn, private readonly shared: Shared) {}

  get remoteAddress(): string {
    return this.conn.remoteAddr?.hostname ?? "";
  }

  get remotePort(): number {
    return this.conn.remoteAddr?.port ?? 0;
  }

  get protocol(): ListenerProtocol {
    return this.shared.protocol;
  }

  get peerCommonName(): string | undefined {
    return this.conn.peerCommonName;
  }

  get useIdentityAsUsername(): boolean {
    return this.shared.useIdentityAsUsername;
  }

  get bufferedAmount(): number {
    return (this.pending === null ? 0 : this.pending.length) + (this.writing === null ? 0 : this.writing.length);
  }

  write(bytes: Uint8Array): void {
    if (this.ending || this.closed) return;
    (this.pending ??= WriteBatch.take()).push(bytes);
    if (this.writeInFlight) this.backlogged = true;
    else scheduleFlush(this);
  }

  writeWith(maxBytes: number, writer: BatchWriter): void {
    if (this.ending || this.closed) return;
    (this.pending ??= WriteBatch.take()).pushWith(maxBytes, writer);
    if (this.writeInFlight) this.backlogged = true;
    else scheduleFlush(this);
  }

  end(): void {
    if (this.ending || this.closed) return;
    this.ending = true;
    this.wake();
    this.endTimer = setTimeout(() => this.destroy(), this.shared.registry.endTimeoutMs);
    unrefTimer(this.endTimer);
    if (!this.writeInFlight) {
      if (this.pending === null) void this.closeGracefully();
      else scheduleFlush(this);
    }
  }

  destroy(): void {
    if (this.closed) return;
    this.dropPending();
    this.finish(undefined);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  /** Starts the serialized write loop if there is something to send and nothing in flight. */
  flush(): void {
    if (this.closed || this.writeInFlight || this.pending === null) return;
    void this.writeLoop();
  }

  /** Reads until EOF/error, delivering chunks from this connection's (growing) buffer. */
  async readLoop(): Promise<void> {
    let buf = new Uint8Array(READ_BUFFER_MIN);
    try {
      for (;;) {
        if (this.paused && !this.ending) await new Promise<void>((r) => (this.resumeWaiter = r));
        if (this.closed) return;
        const n = await this.conn.read(buf);
        if (n === null || this.closed) break;
        if (this.paused && !this.ending) await new Promise<void>((r) => (this.resumeWaiter = r));
        // After end() the broker is done with this peer: drain the socket but drop the bytes.
        if (!this.ending && !this.closed) this.shared.handlers.onData(this, buf.subarray(0, n));
        // Filled it: more was probably waiting. The chunk was only valid during onData.
        if (n === buf.length && buf.length < READ_BUFFER_MAX) buf = new Uint8Array(buf.length * READ_BUFFER_GROWTH);
      }
      this.finish(undefined);
    } catch (err) {
      this.finish(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private async writeLoop(): Promise<void> {
    this.writeInFlight = true;
    try {
      while (this.pending !== null && !this.closed) {
        // The broker keeps appending to a fresh batch while the runtime reads from this one.
        const out = (this.writing = this.pending);
        this.pending = null;
        while (out.length > 0) {
          const n = await this.conn.write(out.view());
          transportStats.socketWrites++;
          transportStats.bytesWritten += n;
          if (this.closed) return;
          out.consume(n);
        }
        this.writing = null;
        out.recycle();
      }
    } catch (err) {
      this.finish(err instanceof Error ? err : new Error(String(err)));
      return;
    } finally {
      this.writeInFlight = false;
      // The write settled, so the runtime is done with the in-flight buffer: back to the pool.
      const out = this.writing;
      this.writing = null;
      out?.recycle();
    }
    if (this.closed) return;
    if (this.ending) void this.closeGracefully();
    else if (this.backlogged) {
      this.backlogged = false;
      this.shared.handlers.onDrain?.(this);
    }
  }

  /**
   * Half-closes so the peer sees a clean FIN after our last bytes; the read loop then drains until
   * the peer's EOF (closing at once could RST and discard what we just sent). The end deadline
   * covers peers that never close.
   */
  private async closeGracefully(): Promise<void> {
    const ms = this.shared.registry.lingerMs;
    if (ms <= 0) return this.finish(undefined);
    // From here the linger bounds the wait for the peer's EOF (the end deadline covered the flush).
    if (this.endTimer !== undefined) clearTimeout(this.endTimer);
    this.endTimer = setTimeout(() => this.destroy(), ms);
    unrefTimer(this.endTimer);
    try {
      await this.conn.closeWrite();
    } catch {
      this.finish(undefined);
    }
  }

  private dropPending(): void {
    const p = this.pending;
    this.pending = null;
    p?.recycle();
  }

  /** Closes the resource and reports onClose exactly once, never re-entrantly. */
  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    if (this.endTimer !== undefined) clearTimeout(this.endTimer);
    this.dropPending();
    this.wake();
    try {
      this.conn.close();
    } catch {
      // Already closed by the runtime (peer reset): nothing to release.
    }
    const reported = isCloseNoise(error) ? undefined : error;
    queueMicrotask(() => {
      this.shared.registry.remove(this);
      this.shared.handlers.onClose(this, reported);
    });
  }

  private wake(): void {
    const w = this.resumeWaiter;
    this.resumeWaiter = null;
    w?.();
  }
}

/** Errors that only mean "the socket went away because we closed it". */
function isCloseNoise(err: Error | undefined): boolean {
  if (err === undefined) return true;
  return err.name === "BadResource" || err.name === "Interrupted";
}
