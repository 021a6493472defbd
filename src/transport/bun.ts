/**
 * Bun adapter: Bun.listen with socket handlers. Bun's socket.write() does not buffer: it returns
 * how many bytes the kernel took, so the remainder stays in our batch until `drain`.
 */
import type { Connection, ConnectionHandlers, ListenOptions, Listener, Transport } from "./types.ts";
import { transportStats, WriteBatch } from "./write_batch.ts";
import { type Flushable, scheduleFlush } from "./flush_queue.ts";
import { ConnectionRegistry, nextConnectionId } from "./registry.ts";
import { unrefTimer } from "../timers/unref.ts";

/** The subset of Bun's Socket we use (no bun-types dependency, so Deno can type-check this file). */
interface BunSocket {
  data: BunConnection | undefined;
  readonly remoteAddress: string;
  write(bytes: Uint8Array): number;
  end(): void;
  terminate(): void;
  pause?(): void;
  resume?(): void;
  setNoDelay?(on: boolean): boolean;
}

interface BunServer {
  readonly port: number;
  stop(closeActive?: boolean): void;
}

/** A Bun TCP connection with a batched, backpressure-aware write path. */
class BunConnection implements Connection, Flushable {
  readonly id = nextConnectionId();
  readonly remoteAddress: string;
  context: unknown = undefined;
  flushQueued = false;
  /** I/O error seen by the `error` handler, reported with onClose. */
  error: Error | undefined = undefined;
  private readonly batch = new WriteBatch();
  /** A partial write happened: wait for `drain` before writing again. */
  private blocked = false;
  private ending = false;
  private closed = false;
  private endTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Set while we call into the socket ourselves, so onClose is deferred, never re-entrant. */
  private selfClosing = false;

  constructor(
    private readonly socket: BunSocket,
    private readonly handlers: ConnectionHandlers,
    private readonly registry: ConnectionRegistry<BunConnection>,
  ) {
    this.remoteAddress = socket.remoteAddress ?? "";
  }

  get bufferedAmount(): number {
    return this.batch.length;
  }

  write(bytes: Uint8Array): void {
    if (this.ending || this.closed) return;
    this.batch.push(bytes);
    if (!this.blocked) scheduleFlush(this);
  }

  end(): void {
    if (this.ending || this.closed) return;
    this.ending = true;
    // Bun's end() drops what the kernel has not taken, so close only once the batch is empty.
    if (this.batch.length === 0) {
      this.closeSocket(false);
      return;
    }
    if (!this.blocked) scheduleFlush(this);
    this.endTimer = setTimeout(() => this.destroy(), this.registry.endTimeoutMs);
    unrefTimer(this.endTimer);
  }

  /** True once end() was called: further input is not delivered (the broker is done). */
  get isEnding(): boolean {
    return this.ending;
  }

  destroy(): void {
    if (this.closed) return;
    this.batch.clear();
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
    if (this.closed || this.blocked) return;
    const len = this.batch.length;
    if (len > 0) {
      const n = this.socket.write(this.batch.view());
      transportStats.socketWrites++;
      if (n > 0) {
        transportStats.bytesWritten += n;
        this.batch.consume(n);
      }
      if (n < len) {
        // n < 0 means the socket is already closed; its close handler will follow.
        if (n >= 0) this.blocked = true;
        return;
      }
    }
    if (this.ending) this.closeSocket(false);
  }

  /** Bun `drain`: the kernel can take more. */
  onSocketDrain(): void {
    if (!this.blocked || this.closed) return;
    this.blocked = false;
    this.flush();
    if (!this.blocked && !this.closed && !this.ending) this.handlers.onDrain?.(this);
  }

  /** Bun `close`: fires onClose exactly once. */
  onSocketClose(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.batch.clear();
    if (this.endTimer !== undefined) clearTimeout(this.endTimer);
    const err = error ?? this.error;
    if (this.selfClosing) queueMicrotask(() => this.report(undefined));
    else this.report(err);
  }

  private report(error: Error | undefined): void {
    this.registry.remove(this);
    this.handlers.onClose(this, error);
  }

  private closeSocket(now: boolean): void {
    this.selfClosing = true;
    try {
      if (now) this.socket.terminate();
      else this.socket.end();
    } finally {
      this.selfClosing = false;
    }
    // Bun normally fires `close` synchronously from end()/terminate(); make sure regardless.
    if (!this.closed) {
      this.selfClosing = true;
      this.onSocketClose();
      this.selfClosing = false;
    }
  }
}

/** Transport backed by Bun.listen. */
export class BunTransport implements Transport {
  listen(opts: ListenOptions, handlers: ConnectionHandlers): Promise<Listener> {
    const bun = (globalThis as { Bun?: { listen(o: unknown): BunServer } }).Bun;
    if (bun === undefined) return Promise.reject(new Error("BunTransport requires the Bun runtime"));
    const registry = new ConnectionRegistry<BunConnection>(opts.endTimeoutMs);
    let server: BunServer;
    try {
      server = bun.listen({ hostname: opts.host, port: opts.port, socket: socketHandlers(handlers, registry) });
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve(makeListener(opts.host, server, registry));
  }
}

function socketHandlers(handlers: ConnectionHandlers, registry: ConnectionRegistry<BunConnection>) {
  return {
    open(s: BunSocket) {
      s.setNoDelay?.(true); // MQTT is request/response-ish: Nagle only adds latency.
      const conn = new BunConnection(s, handlers, registry);
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
}

function makeListener(host: string, server: BunServer, registry: ConnectionRegistry<BunConnection>): Listener {
  let closing: Promise<void> | null = null;
  return {
    host,
    port: server.port,
    close(): Promise<void> {
      closing ??= (async () => {
        server.stop(false); // stop accepting; live connections are ended gracefully below
        await registry.closeAll();
        server.stop(true);
      })();
      return closing;
    },
  };
}
