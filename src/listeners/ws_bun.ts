/**
 * ws / wss / http listeners on Bun: Bun.serve with websocket handlers. Bun does the upgrade and
 * the framing; each MQTT connection is a WsConnection. Requests that are not an MQTT upgrade go
 * to the embedder's HTTP handler.
 */
import type { Listener, TlsMaterial } from "../transport/types.ts";
import { ConnectionRegistry } from "../transport/registry.ts";
import { bunTls } from "./tls_bun.ts";
import { chooseSubprotocol, isUpgrade, onMqttPath, refuseUpgrade, safeServe } from "./http_routes.ts";
import { WsConnection, type WsListenOptions, type WsPeer, type WsShared } from "./ws_connection.ts";

/** The subset of Bun's ServerWebSocket we use. */
interface BunWs {
  data: { conn: WsConnection | null; address: string; port: number };
  send(data: Uint8Array, compress?: boolean): number;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

interface BunHttpServer {
  readonly port: number;
  upgrade(req: Request, o: { headers?: HeadersInit; data?: unknown }): boolean;
  requestIP(req: Request): { address: string; port: number } | null;
  stop(closeActive?: boolean): void;
}

class BunPeer implements WsPeer {
  constructor(private readonly ws: BunWs) {}
  get remoteAddress(): string {
    return this.ws.data.address;
  }
  get remotePort(): number {
    return this.ws.data.port;
  }
  send(bytes: Uint8Array): void {
    this.ws.send(bytes, false); // Bun copies what the socket does not take at once
  }
  buffered(): number {
    return this.ws.getBufferedAmount();
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  terminate(): void {
    this.ws.terminate();
  }
}

/** Opens the listener; rejects if the address cannot be bound. */
export function listenWsBun(o: WsListenOptions): Promise<Listener> {
  const bun = (globalThis as { Bun?: { serve(o: unknown): BunHttpServer } }).Bun!;
  const { config, handlers } = o;
  const registry = new ConnectionRegistry<WsConnection>();
  const shared: WsShared = { handlers, registry, protocol: config.protocol };
  const mqtt = config.protocol !== "http";
  const max = config.maxConnections ?? 0;
  const fetch = (req: Request, server: BunHttpServer): Response | Promise<Response> | undefined => {
    if (!mqtt || !isUpgrade(req) || !onMqttPath(req, config.path)) return safeServe(req, o.httpHandler);
    const proto = chooseSubprotocol(req);
    if (proto === null) return refuseUpgrade("MQTT over WebSocket needs the subprotocol mqtt");
    if (max > 0 && registry.size >= max) return new Response("too many connections\n", { status: 503 });
    const ip = server.requestIP(req);
    const data = { conn: null, address: ip?.address ?? "", port: ip?.port ?? 0 };
    if (server.upgrade(req, { headers: { "Sec-WebSocket-Protocol": proto }, data })) return undefined;
    return refuseUpgrade("WebSocket upgrade failed");
  };
  const websocket = {
    maxPayloadLength: o.maxMessageBytes,
    idleTimeout: 0, // MQTT keep-alive decides when a quiet client is gone
    sendPings: false,
    perMessageDeflate: false,
    open(ws: BunWs) {
      const conn = new WsConnection(new BunPeer(ws), shared);
      ws.data.conn = conn;
      registry.add(conn);
      handlers.onOpen(conn);
    },
    message(ws: BunWs, msg: string | Uint8Array) {
      const conn = ws.data.conn;
      if (conn === null) return;
      if (typeof msg === "string") conn.onTextMessage();
      else conn.onMessage(msg);
    },
    drain(ws: BunWs) {
      ws.data.conn?.onPeerDrain();
    },
    close(ws: BunWs) {
      ws.data.conn?.onPeerClose();
    },
  };
  const start = (tls: TlsMaterial | undefined, port: number) =>
    bun.serve({ hostname: config.host, port, fetch, websocket, ...(tls === undefined ? {} : { tls: bunTls(tls) }) });
  let server: BunHttpServer;
  try {
    server = start(o.tls, config.port);
  } catch (err) {
    return Promise.reject(err);
  }
  const port = server.port;
  /** Servers replaced by a TLS reload: no longer listening, their WebSockets still live here. */
  const retired: BunHttpServer[] = [];
  let current = o.tls;
  let closing: Promise<void> | null = null;
  const listener: Listener = {
    host: config.host,
    port,
    close(): Promise<void> {
      closing ??= (async () => {
        server.stop(false);
        await registry.closeAll();
        server.stop(true);
        for (const r of retired) r.stop(true);
      })();
      return closing;
    },
  };
  if (current !== undefined) {
    // Bun.serve cannot swap its TLS context: rebind the port with the new one (stop(false) only
    // closes the listening socket; upgraded WebSockets keep theirs).
    listener.reloadTls = (tls: TlsMaterial): Promise<void> => {
      if (closing !== null) return Promise.resolve();
      server.stop(false);
      retired.push(server);
      try {
        server = start(tls, port);
        current = tls;
      } catch (err) {
        server = start(current, port);
        return Promise.reject(err);
      }
      return Promise.resolve();
    };
  }
  return Promise.resolve(listener);
}
