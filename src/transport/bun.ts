/**
 * Bun adapter: Bun.listen with socket handlers. Bun's socket.write() does not buffer: it returns
 * how many bytes the kernel took, so the remainder stays in our batch until `drain`.
 */
import type { BatchWriter, Connection, ConnectionHandlers, ListenOptions, Listener, TlsMaterial, Transport } from "./types.ts";
import type { ListenerProtocol } from "../config/listener_config.ts";
import { bunTls, commonName } from "../listeners/tls_bun.ts";
import { transportStats, WriteBatch } from "./write_batch.ts";
import { type Flushable, scheduleFlush } from "./flush_queue.ts";
import { ConnectionRegistry, nextConnectionId } from "./registry.ts";
import { unrefTimer } from "../timers/unref.ts";
import { type BunServer, makeListener } from "./bun_listener.ts";

/** The subset of Bun's Socket we use (no bun-types dependency, so Deno can type-check this file). */
interface BunSocket {
  data: BunConnection | undefined;
  readonly remoteAddress: string;
  readonly remotePort?: number;
  /** Writes `length` bytes from `offset` (no view to allocate); returns how many the kernel took. */
  write(bytes: Uint8Array, offset: number, length: number): number;
  end(): void;
  /** shutdown(2) of the write side: FIN after what was written; reading goes on. */
  shutdown(): void;
  terminate(): void;
  pause?(): void;
  resume?(): void;
  /** TLS sockets only. */
  getPeerCertificate?(): { subject?: { CN?: string | string[] } } | undefined;
}

/** What every connection of one listener shares (kept off the per-connection objects). */
interface Shared {
  readonly handlers: ConnectionHandlers;
  readonly registry: ConnectionRegistry<BunConnection>;
  readonly protocol: ListenerProtocol;
  /** The handshake verified a client certificate (mutual TLS): its CN may be trusted. */
  readonly verifiedPeers: boolean;
  readonly useIdentityAsUsername: boolean;
  /** Per-listener connection cap, 0 = none. */
  readonly maxConnections: number;
}

/** BunConnection.flags bits. */
const BLOCKED = 1; // a partial write happened: wait for `drain` before writing again
const ENDING = 2; // end() was called
const CLOSED = 4; // onSocketClose ran
const SELF_CLOSING = 8; // we are inside socket.end()/terminate(): onClose is deferred, never re-entrant
const LINGERING = 16; // flushed and half-closed: input is discarded until the peer closes

/**
 * A Bun TCP connection with a batched, backpressure-aware write path. Idle connections are the
 * common case (a fleet of quiet devices), so this object is kept small: booleans share one flags
 * word, the write batch is only held while bytes are in flight, and listener-wide state is one
 * shared reference. At 12 fields it is 112 bytes in JSC (13–18 fields would round up to 160).
 */
class BunConnection implements Connection, Flushable {
  readonly id = nextConnectionId();
  context: unknown = undefined;
  flushQueued = false;
  /** I/O error seen by the `error` handler, reported with onClose. */
  error: Error | undefined = undefined;
  registryPrev: BunConnection | null = null;
  registryNext: BunConnection | null = null;
  private batch: WriteBatch | null = null;
  private flags = 0;
  private endTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(private readonly socket: BunSocket, private readonly shared: Shared) {
  }

  /**
   * The peer's address, asked of Bun only when someone wants it (hooks, verbose logs), while the
   * socket is open: keeping a string per connection would cost every idle connection ~50 bytes.
   */
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? "";
  }

  /** The peer's port, asked of Bun like the address (it is gone once the socket has closed). */
  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  get bufferedAmount(): number {
    return this.batch === null ? 0 : this.batch.length;
  }

  get protocol(): ListenerProtocol {
    return this.shared.protocol;
  }

  get useIdentityAsUsername(): boolean {
    return this.shared.useIdentityAsUsername;
  }

  get peerCommonName(): string | undefined {
    return this.shared.verifiedPeers ? commonName(this.socket.getPeerCertificate?.()?.subject?.CN) : undefined;
  }

  write(bytes: Uint8Array): void {
    const flags = this.flags;
    if ((flags & (ENDING | CLOSED)) !== 0) return;
    (this.batch ??= WriteBatch.take()).push(bytes);
    if ((flags & BLOCKED) === 0) scheduleFlush(this);
  }

  writeWith(maxBytes: number, writer: BatchWriter): void {
    const flags = this.flags;
    if ((flags & (ENDING | CLOSED)) !== 0) return;
    (this.batch ??= WriteBatch.take()).pushWith(maxBytes, writer);
    if ((flags & BLOCKED) === 0) scheduleFlush(this);
  }

  end(): void {
    if ((this.flags & (ENDING | CLOSED)) !== 0) return;
    this.flags |= ENDING;
    // Bun's end() drops what the kernel has not taken, so close only once the batch is empty.
    if (this.batch === null) {
      this.linger();
      return;
    }
    if ((this.flags & BLOCKED) === 0) scheduleFlush(this);
    this.endTimer = setTimeout(() => this.destroy(), this.shared.registry.endTimeoutMs);
    unrefTimer(this.endTimer);
  }

  /** True once end() was called: further input is not delivered (the broker is done). */
  get isEnding(): boolean {
    return (this.flags & ENDING) !== 0;
  }

  destroy(): void {
    if ((this.flags & CLOSED) !== 0) return;
    this.dropBatch();
    this.closeSocket(true);
  }

  pause(): void {
    this.socket.pause?.();
  }

  resume(): void {
    this.socket.resume?.();
  }

  /** Hands the batch to the kernel; keeps what it did not take and waits for drain. */
  flush(): void {
    if ((this.flags & (CLOSED | BLOCKED)) !== 0) return;
    const batch = this.batch;
    if (batch !== null) {
      const len = batch.length;
      const n = this.socket.write(batch.bytes, batch.offset, len);
      transportStats.socketWrites++;
      if (n > 0) transportStats.bytesWritten += n;
      if (n < len) {
        if (n > 0) batch.consume(n);
        // n < 0 means the socket is already closed; its close handler will follow.
        if (n >= 0) this.flags |= BLOCKED;
        return;
      }
      this.dropBatch();
    }
    if ((this.flags & ENDING) !== 0) this.linger();
  }

  /**
   * Everything is sent: shut the write side (the peer reads our last bytes, then FIN) and wait for
   * the peer to close (Bun closes on its FIN), discarding its input, for at most the linger time.
   */
  private linger(): void {
    if ((this.flags & (LINGERING | CLOSED)) !== 0) return;
    this.flags |= LINGERING;
    if (this.endTimer !== undefined) clearTimeout(this.endTimer);
    const ms = this.shared.registry.lingerMs;
    if (ms <= 0) return this.closeSocket(false);
    try {
      this.socket.shutdown();
    } catch {
      return this.closeSocket(false);
    }
    this.endTimer = setTimeout(() => this.destroy(), ms);
    unrefTimer(this.endTimer);
  }

  /** Bun `drain`: the kernel can take more. */
  onSocketDrain(): void {
    if ((this.flags & (BLOCKED | CLOSED)) !== BLOCKED) return;
    this.flags &= ~BLOCKED;
    this.flush();
    if ((this.flags & (BLOCKED | CLOSED | ENDING)) === 0) this.shared.handlers.onDrain?.(this);
  }

  /** Bun `close`: fires onClose exactly once. */
  onSocketClose(error?: Error): void {
    if ((this.flags & CLOSED) !== 0) return;
    this.flags |= CLOSED;
    this.dropBatch();
    if (this.endTimer !== undefined) clearTimeout(this.endTimer);
    const err = error ?? this.error;
    if ((this.flags & SELF_CLOSING) !== 0) queueMicrotask(() => this.report(undefined));
    else this.report(err);
  }

  private dropBatch(): void {
    const batch = this.batch;
    if (batch === null) return;
    this.batch = null;
    batch.recycle();
  }

  private report(error: Error | undefined): void {
    this.shared.registry.remove(this);
    this.shared.handlers.onClose(this, error);
  }

  private closeSocket(now: boolean): void {
    this.flags |= SELF_CLOSING;
    try {
      if (now) this.socket.terminate();
      else this.socket.end();
      // Bun normally fires `close` synchronously from end()/terminate(); make sure regardless.
      if ((this.flags & CLOSED) === 0) this.onSocketClose();
    } finally {
      this.flags &= ~SELF_CLOSING;
    }
  }
}

/** Transport backed by Bun.listen (with `tls` for mqtts). */
export class BunTransport implements Transport {
  listen(opts: ListenOptions, handlers: ConnectionHandlers): Promise<Listener> {
    const bun = (globalThis as { Bun?: BunApi }).Bun;
    if (bun === undefined) return Promise.reject(new Error("BunTransport requires the Bun runtime"));
    const registry = new ConnectionRegistry<BunConnection>(opts.endTimeoutMs, opts.lingerMs);
    const shared: Shared = {
      handlers, registry, protocol: opts.protocol ?? "mqtt", verifiedPeers: opts.tls?.requireCertificate ?? false,
      useIdentityAsUsername: opts.useIdentityAsUsername ?? false,
      maxConnections: opts.maxConnections ?? 0,
    };
    const socket = socketHandlers(shared, opts.tls !== undefined);
    const start = (tls: TlsMaterial | undefined, port: number) =>
      bun.listen({ hostname: opts.host, port, socket, ...(tls === undefined ? {} : { tls: bunTls(tls) }) });
    let server: BunServer;
    try {
      server = start(opts.tls, opts.port);
    } catch (err) {
      return Promise.reject(err);
    }
    const reload = opts.tls === undefined ? undefined : { tls: opts.tls, start };
    return Promise.resolve(makeListener(opts.host, server, registry, reload));
  }
}

interface BunApi {
  listen(o: unknown): BunServer;
}

function socketHandlers(shared: Shared, tls: boolean) {
  const { handlers, registry } = shared;
  const plain = {
    // No setNoDelay: Bun's uSockets sets TCP_NODELAY on every accepted socket ("we always use
    // nodelay", loop.c), so a second setsockopt per connection would only cost a system call.
    open(s: BunSocket) {
      if (shared.maxConnections > 0 && registry.size >= shared.maxConnections) return s.terminate();
      const conn = new BunConnection(s, shared);
      s.data = conn;
      registry.add(conn);
      handlers.onOpen(conn);
    },
    data(s: BunSocket, chunk: Uint8Array) {
      const conn = s.data;
      if (conn !== undefined && !conn.isEnding) handlers.onData(conn, chunk);
    },
    drain(s: BunSocket) {
      s.data?.onSocketDrain();
    },
    error(s: BunSocket, err: Error) {
      if (s.data !== undefined) s.data.error = err;
    },
    close(s: BunSocket, err?: Error) {
      s.data?.onSocketClose(err ?? undefined);
    },
  };
  if (!tls) return plain;
  return {
    ...plain,
    // `open` came at accept, before the handshake, so the broker's connect timeout also bounds a
    // stalled handshake. Bun reports an unverifiable client certificate as a handshake "success"
    // with an error: with mutual TLS either one ends the connection before any MQTT byte is read.
    handshake(s: BunSocket, ok: boolean, err: Error | null) {
      if (!ok || (shared.verifiedPeers && err !== null)) s.data?.destroy();
    },
  };
}
