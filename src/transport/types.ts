import type { ListenerProtocol } from "../config/listener_config.ts";

/**
 * The transport contract: the only surface between the broker core and a runtime's socket API.
 * Adapters (bun.ts, deno.ts) implement it; everything above it is runtime-agnostic.
 */

/** One accepted TCP connection as the broker sees it. */
export interface Connection {
  /** Unique per process; small dense integers (good as map keys and wheel keys). */
  readonly id: number;
  /**
   * Peer IP address as reported by the runtime ("" if unknown). Read it while the connection is
   * open (e.g. at CONNECT): Bun cannot tell it after the close, and keeping a copy per connection
   * would cost every idle connection a string.
   */
  readonly remoteAddress: string;
  /** Which kind of listener accepted it (listener-wide, so it costs a connection nothing). */
  readonly protocol: ListenerProtocol;
  /**
   * TLS: the subject CN of the client certificate the handshake verified, else undefined. Read
   * it at CONNECT (it is asked of the runtime, not kept per connection).
   */
  readonly peerCommonName: string | undefined;
  /** The listener makes peerCommonName the MQTT username (mosquitto use_identity_as_username). */
  readonly useIdentityAsUsername: boolean;
  /** Peer TCP port (0 if unknown); like remoteAddress, read it while the connection is open. */
  readonly remotePort: number;
  /**
   * Copies `bytes` into this connection's outgoing batch immediately (callers pass views on WASM
   * memory, which the next encode overwrites), flushed with ONE socket write per connection per tick.
   * Writes after end()/destroy() are ignored.
   */
  write(bytes: Uint8Array): void;
  /**
   * Like write(), for a packet made on the way: `writer.writeInto` writes it (at most `maxBytes`)
   * straight into the outgoing batch, so it is neither built in a scratch buffer nor copied twice.
   */
  writeWith(maxBytes: number, writer: BatchWriter): void;
  /** Bytes queued in user space and not yet accepted by the kernel (backpressure signal). */
  readonly bufferedAmount: number;
  /**
   * Flush what is queued, half-close (FIN), discard input until the peer closes or the linger
   * passes, then close. onClose follows once the socket is closed.
   */
  end(): void;
  /** Close now, dropping anything queued. onClose follows (once). */
  destroy(): void;
  /** Stop delivering onData (broker-side backpressure). */
  pause(): void;
  /** Resume delivering onData after pause(). */
  resume(): void;
  /** Free slot for the broker's per-connection state. */
  context: unknown;
}

/** Fills part of a connection's outgoing batch (see Connection.writeWith). */
export interface BatchWriter {
  /** Writes the bytes at `out[offset…]` (room for the promised maximum is there); returns how many. */
  writeInto(out: Uint8Array, offset: number): number;
}

/** Callbacks a transport invokes; the broker core implements them. */
export interface ConnectionHandlers {
  /** A connection was accepted. Always the first callback for a connection. */
  onOpen(conn: Connection): void;
  /** Bytes arrived. `chunk` is only valid during the call (the buffer is reused). */
  onData(conn: Connection, chunk: Uint8Array): void;
  /**
   * Exactly once per connection, after onOpen; `error` is set for I/O errors only. Never called
   * synchronously from inside end()/destroy(), so callers need not guard against re-entrancy.
   */
  onClose(conn: Connection, error?: Error): void;
  /** The kernel accepted every queued byte after a partial write (backpressure relieved). */
  onDrain?(conn: Connection): void;
}

/** A bound, accepting server socket. */
export interface Listener {
  /** The host it was asked to bind. */
  readonly host: string;
  /** The real bound port (useful when listening on port 0). */
  readonly port: number;
  /**
   * Stops accepting, ends every open connection (flushing queued bytes), and resolves once all of
   * them have fired onClose (connections that do not close within a grace period are destroyed).
   */
  close(): Promise<void>;
  /**
   * TLS listeners: serve new handshakes with this material from now on; open connections keep
   * theirs. Rejects (and keeps the old material) if the runtime refuses it.
   */
  reloadTls?(tls: TlsMaterial): Promise<void>;
}

/** Options for Transport.listen. */
export interface ListenOptions {
  host: string;
  port: number;
  /**
   * Longest an end() may take (flushing to a peer that stopped reading, waiting for its FIN)
   * before the connection is destroyed. Default 5000 ms.
   */
  endTimeoutMs?: number;
  /**
   * After end() has flushed: the write side is shut (FIN) and input is discarded until the peer
   * closes or this many ms pass; then the socket is closed (never reset while the peer may still
   * read why it was closed). Default 2000; 0 closes right after the flush.
   */
  lingerMs?: number;
  /**
   * Connections expected at once: the descriptor table is grown for them before listening, so a
   * connection storm does not stall on its growth (see fd_table.ts). Default 16384; 0 skips.
   */
  reserveDescriptors?: number;
  /** Listener kind reported on each Connection. Default "mqtt". */
  protocol?: ListenerProtocol;
  /** TLS (mqtts): PEM contents, already read and checked (src/listeners/tls_files.ts). */
  tls?: TlsMaterial;
  /** With tls.requireCertificate: the client certificate's CN becomes the MQTT username. */
  useIdentityAsUsername?: boolean;
  /**
   * TLS: longest a handshake may take before the socket is dropped (where the runtime accepts only
   * after the handshake; elsewhere the broker's connect timeout covers it). Default 10000.
   */
  handshakeTimeoutMs?: number;
  /** Connections this listener holds at once; further ones are closed on accept. 0 = no cap. */
  maxConnections?: number;
}

/** What a TLS listener needs, as PEM text. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** CA certificates (PEM, concatenated) that client certificates must chain to. */
  ca?: string;
  /** Ask for a client certificate and refuse the handshake without a valid one. */
  requireCertificate: boolean;
  /** Lowest TLS version accepted. */
  minVersion: "TLSv1.2" | "TLSv1.3";
}

/** A runtime's TCP server factory. */
export interface Transport {
  /** Binds and starts accepting; rejects if the address cannot be bound. */
  listen(opts: ListenOptions, handlers: ConnectionHandlers): Promise<Listener>;
}
