/**
 * MQTT over WebSocket as a transport Connection, for both runtimes: the runtime's server does the
 * HTTP upgrade and the framing (ws_bun.ts, ws_deno.ts give us a WsPeer); this class keeps the
 * broker's contract: writes collect in a WriteBatch and leave as ONE binary message per
 * connection per tick (flushed after the batch of I/O events: the runtimes call us once per
 * message, and a microtask flush would send once per received message), bufferedAmount includes what the runtime has not yet sent (so a slow
 * WebSocket subscriber meets the same queue limits as a slow TCP one), and onClose fires exactly
 * once, never from inside end()/destroy().
 */
import type { ListenerConfig, ListenerProtocol } from "../config/listener_config.ts";
import type { BatchWriter, Connection, ConnectionHandlers, TlsMaterial } from "../transport/types.ts";
import type { HttpHandler } from "./http_routes.ts";
import { transportStats, WriteBatch } from "../transport/write_batch.ts";
import { type Flushable, scheduleFlushAfterEvents } from "../transport/flush_queue.ts";
import { ConnectionRegistry, nextConnectionId } from "../transport/registry.ts";
import { unrefTimer } from "../timers/unref.ts";

/** WebSocket close codes (RFC 6455 §7.4.1). */
export const WS_NORMAL = 1000;
export const WS_PROTOCOL_ERROR = 1002;

/** Options of one ws / wss / http listener (either runtime). */
export interface WsListenOptions {
  config: ListenerConfig;
  handlers: ConnectionHandlers;
  tls?: TlsMaterial;
  httpHandler?: HttpHandler;
  /** Largest WebSocket message accepted (the broker's maxPacketSize). */
  maxMessageBytes: number;
}

/** What a runtime's WebSocket must offer. */
export interface WsPeer {
  /** Sends one binary message; the bytes may be reused once it returns. */
  send(bytes: Uint8Array): void;
  /** Bytes the runtime holds, not yet written to the socket. */
  buffered(): number;
  close(code: number, reason: string): void;
  /** Closes without the closing handshake. */
  terminate(): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** What the connections of one WebSocket listener share. */
export interface WsShared {
  readonly handlers: ConnectionHandlers;
  readonly registry: ConnectionRegistry<WsConnection>;
  readonly protocol: ListenerProtocol;
  /** Runtimes without a drain event: called when a flush leaves bytes in the runtime. */
  readonly watchDrain?: (c: WsConnection) => void;
}

/** One MQTT-over-WebSocket connection. */
export class WsConnection implements Connection, Flushable {
  readonly id = nextConnectionId();
  context: unknown = undefined;
  flushQueued = false;
  registryPrev: WsConnection | null = null;
  registryNext: WsConnection | null = null;
  readonly peerCommonName = undefined;
  readonly useIdentityAsUsername = false;
  private batch: WriteBatch | null = null;
  private ending = false;
  private closed = false;
  /** A flush left bytes in the runtime: report onDrain once they are out. */
  private waitingDrain = false;
  private endTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(private readonly peer: WsPeer, private readonly shared: WsShared) {}

  get protocol(): ListenerProtocol {
    return this.shared.protocol;
  }

  get remoteAddress(): string {
    return this.peer.remoteAddress;
  }

  get remotePort(): number {
    return this.peer.remotePort;
  }

  get bufferedAmount(): number {
    return (this.batch === null ? 0 : this.batch.length) + (this.closed ? 0 : this.peer.buffered());
  }

  write(bytes: Uint8Array): void {
    if (this.ending || this.closed) return;
    (this.batch ??= WriteBatch.take()).push(bytes);
    scheduleFlushAfterEvents(this);
  }

  writeWith(maxBytes: number, writer: BatchWriter): void {
    if (this.ending || this.closed) return;
    (this.batch ??= WriteBatch.take()).pushWith(maxBytes, writer);
    scheduleFlushAfterEvents(this);
  }

  flush(): void {
    const batch = this.batch;
    if (batch !== null && !this.closed) {
      this.batch = null;
      transportStats.socketWrites++;
      transportStats.bytesWritten += batch.length;
      this.peer.send(batch.view());
      batch.recycle();
      if (this.peer.buffered() > 0 && !this.waitingDrain) {
        this.waitingDrain = true;
        this.shared.watchDrain?.(this);
      }
    }
    if (this.ending && !this.closed) this.peer.close(WS_NORMAL, "");
  }

  end(): void {
    if (this.ending || this.closed) return;
    this.ending = true;
    if (this.batch !== null) scheduleFlushAfterEvents(this);
    else this.peer.close(WS_NORMAL, "");
    this.endTimer = setTimeout(() => this.destroy(), this.shared.registry.endTimeoutMs);
    unrefTimer(this.endTimer);
  }

  destroy(): void {
    if (this.closed) return;
    this.dropBatch();
    this.peer.terminate();
    this.onPeerClose(); // the runtime's close event may come later (or, for terminate, not at all)
  }

  pause(): void {
    // The runtimes' WebSocket servers cannot pause reading; the broker does not rely on it.
  }

  resume(): void {}

  /** A binary message: MQTT bytes in any chunking (the decoder reassembles). */
  onMessage(chunk: Uint8Array): void {
    if (!this.ending && !this.closed) this.shared.handlers.onData(this, chunk);
  }

  /** A text message is a protocol error: close the connection [MQTT-6.0.0-1]. */
  onTextMessage(): void {
    if (this.closed) return;
    this.ending = true;
    this.dropBatch();
    this.peer.close(WS_PROTOCOL_ERROR, "MQTT needs binary frames");
    if (this.endTimer !== undefined) return;
    this.endTimer = setTimeout(() => this.destroy(), this.shared.registry.endTimeoutMs);
    unrefTimer(this.endTimer);
  }

  /** The runtime sent everything it held. */
  onPeerDrain(): void {
    if (!this.waitingDrain || this.closed || this.peer.buffered() > 0) return;
    this.waitingDrain = false;
    if (!this.ending) this.shared.handlers.onDrain?.(this);
  }

  /** Whether onDrain is owed (the Deno side polls only then). */
  get drainPending(): boolean {
    return this.waitingDrain && !this.closed;
  }

  /** The socket closed (either side): onClose once, in a microtask. */
  onPeerClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropBatch();
    if (this.endTimer !== undefined) clearTimeout(this.endTimer);
    queueMicrotask(() => {
      this.shared.registry.remove(this);
      this.shared.handlers.onClose(this);
    });
  }

  private dropBatch(): void {
    const b = this.batch;
    this.batch = null;
    b?.recycle();
  }
}
