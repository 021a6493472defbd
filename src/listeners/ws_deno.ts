/**
 * ws / wss / http listeners on Deno: Deno.serve plus Deno.upgradeWebSocket. Deno does the upgrade
 * and the framing; each MQTT connection is a WsConnection. Deno's WebSocket has no drain event,
 * so a connection whose bytes the runtime still holds is polled until they are out.
 */
import { ConnectionRegistry } from "../transport/registry.ts";
import type { Listener, TlsMaterial } from "../transport/types.ts";
import { chooseSubprotocol, isUpgrade, onMqttPath, refuseUpgrade, safeServe } from "./http_routes.ts";
import { WsConnection, type WsListenOptions, type WsPeer, type WsShared } from "./ws_connection.ts";
import { ListenerError } from "./errors.ts";

/** How often a connection waiting for Deno to send its bytes is checked. */
const DRAIN_POLL_MS = 5;

interface DenoServer {
  readonly addr: { port: number };
  shutdown(): Promise<void>;
}

interface DenoApi {
  serve(o: unknown, handler: (req: Request, info: { remoteAddr: { hostname: string; port: number } }) => Response | Promise<Response>): DenoServer;
  upgradeWebSocket(req: Request, o: { protocol?: string; idleTimeout?: number }): { socket: WebSocket; response: Response };
}

class DenoPeer implements WsPeer {
  constructor(private readonly ws: WebSocket, readonly remoteAddress: string, readonly remotePort: number) {}
  send(bytes: Uint8Array): void {
    // Deno may keep a reference to the buffer until it is written; ours is reused at once.
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes.slice());
  }
  buffered(): number {
    return this.ws.bufferedAmount;
  }
  close(code: number, reason: string): void {
    try {
      this.ws.close(code, reason);
    } catch {
      // already closing
    }
  }
  terminate(): void {
    this.close(1000, "");
  }
}

/** Opens the listener; rejects if the address cannot be bound. */
export function listenWsDeno(o: WsListenOptions): Promise<Listener> {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  const { config, handlers } = o;
  if (o.tls?.requireCertificate) {
    return Promise.reject(new ListenerError(`listener ${config.protocol} ${config.host}:${config.port}: requireCertificate on wss is not supported on Deno (Deno.serve cannot verify client certificates)`));
  }
  const registry = new ConnectionRegistry<WsConnection>();
  const mqtt = config.protocol !== "http";
  const max = config.maxConnections ?? 0;
  const draining = new Set<WsConnection>();
  let poll: ReturnType<typeof setInterval> | undefined;
  const watchDrain = (conn: WsConnection) => {
    draining.add(conn);
    poll ??= setInterval(() => {
      for (const c of draining) {
        c.onPeerDrain();
        if (!c.drainPending) draining.delete(c);
      }
      if (draining.size === 0) {
        clearInterval(poll);
        poll = undefined;
      }
    }, DRAIN_POLL_MS);
  };
  const shared: WsShared = { handlers, registry, protocol: config.protocol, watchDrain };
  const handler = (req: Request, info: { remoteAddr: { hostname: string; port: number } }): Response | Promise<Response> => {
    if (!mqtt || !isUpgrade(req) || !onMqttPath(req, config.path)) return safeServe(req, o.httpHandler);
    const proto = chooseSubprotocol(req);
    if (proto === null) return refuseUpgrade("MQTT over WebSocket needs the subprotocol mqtt");
    if (max > 0 && registry.size >= max) return new Response("too many connections\n", { status: 503 });
    const { hostname: address, port } = info.remoteAddr; // `info` is unreadable once the request is upgraded
    let up;
    try {
      up = deno.upgradeWebSocket(req, { protocol: proto, idleTimeout: 0 });
    } catch {
      return refuseUpgrade("WebSocket upgrade failed");
    }
    const ws = up.socket;
    ws.binaryType = "arraybuffer";
    const conn = new WsConnection(new DenoPeer(ws, address, port), shared);
    let opened = false;
    ws.onopen = () => {
      opened = true;
      registry.add(conn);
      handlers.onOpen(conn);
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data === "string") conn.onTextMessage();
      else conn.onMessage(new Uint8Array(e.data as ArrayBuffer));
    };
    ws.onclose = () => {
      if (opened) conn.onPeerClose();
    };
    ws.onerror = () => {};
    return up.response;
  };
  const start = (tls: TlsMaterial | undefined, port: number) => deno.serve({
    hostname: config.host, port, onListen: () => {}, ...(tls === undefined ? {} : { cert: tls.cert, key: tls.key }),
  }, handler);
  // No reloadTls: Deno.serve cannot swap its certificate, and shutting a server down to rebind
  // would also close its upgraded WebSockets (1001), so a wss listener on Deno keeps its
  // certificate until restart (ListenerSet.reloadTls reports that).
  let server: DenoServer;
  try {
    server = start(o.tls, config.port);
  } catch (err) {
    return Promise.reject(err);
  }
  let closing: Promise<void> | null = null;
  const listener: Listener = {
    host: config.host,
    port: server.addr.port,
    close(): Promise<void> {
      closing ??= (async () => {
        await registry.closeAll();
        if (poll !== undefined) clearInterval(poll);
        await server.shutdown();
      })();
      return closing;
    },
  };
  return Promise.resolve(listener);
}

