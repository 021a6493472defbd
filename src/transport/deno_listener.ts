/**
 * Deno listening sockets as Listeners: the accept loop (a connection cap, no Nagle) feeding
 * DenoConnection (deno.ts), and a graceful close. TLS sockets come in through the same listenOn
 * from src/listeners/tls_deno.ts.
 */
import type { ConnectionHandlers, ListenOptions, Listener, TlsMaterial, Transport } from "./types.ts";
import { ConnectionRegistry } from "./registry.ts";
import { type DenoConn, DenoConnection, type DenoListener, type Shared } from "./deno.ts";

/** Pause before retrying accept() after a transient failure. */
const ACCEPT_RETRY_MS = 50;

/** Transport backed by Deno.listen (TLS: src/listeners/tls_deno.ts, through listenOn). */
export class DenoTransport implements Transport {
  async listen(opts: ListenOptions, handlers: ConnectionHandlers): Promise<Listener> {
    const deno = (globalThis as { Deno?: { listen(o: unknown): DenoListener } }).Deno;
    if (deno === undefined) throw new Error("DenoTransport requires the Deno runtime");
    if (opts.tls !== undefined) {
      const { listenTls } = await import("../listeners/tls_deno.ts");
      const source = await listenTls(opts.host, opts.port, opts.tls, opts.handshakeTimeoutMs);
      return listenOn(source, opts, handlers, (tls) => source.reloadTls(tls));
    }
    return listenOn(deno.listen({ hostname: opts.host, port: opts.port, transport: "tcp" }), opts, handlers);
  }
}

/** Serves connections accepted from `listener` through the batched DenoConnection. */
export function listenOn(
  listener: DenoListener, opts: ListenOptions, handlers: ConnectionHandlers, reloadTls?: (tls: TlsMaterial) => Promise<void>,
): Listener {
  const registry = new ConnectionRegistry<DenoConnection>(opts.endTimeoutMs, opts.lingerMs);
  const shared: Shared = {
    handlers, registry, protocol: opts.protocol ?? "mqtt", useIdentityAsUsername: opts.useIdentityAsUsername ?? false,
    maxConnections: opts.maxConnections ?? 0,
  };
  const state = { closed: false };
  const accepting = acceptLoop(listener, shared, state);
  let closing: Promise<void> | null = null;
  return {
    host: opts.host,
    port: listener.addr.port,
    close(): Promise<void> {
      closing ??= (async () => {
        state.closed = true;
        try {
          listener.close();
        } catch {
          // already closed
        }
        await accepting;
        await registry.closeAll();
      })();
      return closing;
    },
    ...(reloadTls === undefined ? {} : { reloadTls }),
  };
}

async function acceptLoop(listener: DenoListener, shared: Shared, state: { closed: boolean }): Promise<void> {
  for (;;) {
    let raw: DenoConn;
    try {
      raw = await listener.accept();
    } catch {
      if (state.closed) return;
      // Transient (e.g. out of file descriptors): back off instead of spinning or giving up.
      await new Promise((r) => setTimeout(r, ACCEPT_RETRY_MS));
      continue;
    }
    if (shared.maxConnections > 0 && shared.registry.size >= shared.maxConnections) {
      try {
        raw.close();
      } catch {
        // already gone
      }
      continue;
    }
    try {
      raw.setNoDelay?.(true); // MQTT is request/response-ish: Nagle only adds latency.
    } catch {
      // not supported on this platform/socket: harmless
    }
    const conn = new DenoConnection(raw, shared);
    shared.registry.add(conn);
    shared.handlers.onOpen(conn);
    void conn.readLoop();
  }
}
