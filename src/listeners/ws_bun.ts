/**
 * ws / wss / http listeners on Bun: Bun.serve with websocket handlers. Bun does the upgrade and
 * the framing; each MQTT connection is a WsConnection. Requests that are not an MQTT upgrade go
 * to the embedder's HTTP handler.
 */
import type { ListenerConfig } from "../config/listener_config.ts";
import type { ConnectionHandlers, Listener, TlsMaterial } from "../transport/types.ts";
import { ConnectionRegistry } from "../transport/registry.ts";
import { chooseSubprotocol, type HttpHandler, isUpgrade, onMqttPath, refuseUpgrade, serveHttp } from "./http_routes.ts";
import { WsConnection, type WsPeer, type WsShared } from "./ws_connection.ts";

/** OpenSSL's SSL_OP_NO_TLSv1_2 (Bun takes OpenSSL option bits as `secureOptions`). */
const SSL_OP_NO_TLSv1_2 = 0x0800_0000;

/** The subset of Bun's ServerWebSocket we use. */
interface BunWs {
  data: { conn: WsConnection | null; address: string };
  send(data: Uint8Array, compress?: boolean): number;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

interface BunHttpServer {
  readonly port: number;
  upgrade(req: Request, o: { headers?: HeadersInit; data?: unknown }): boolean;
  requestIP(req: Request): { address: string } | null;
  stop(closeActive?: boolean): void;
}

/** Options of one Bun HTTP/WebSocket listener. */
export interface WsListenOptions {
  config: ListenerConfig;
  handlers: ConnectionHandlers;
  tls?: TlsMaterial;
  httpHandler?: HttpHandler;
  /** Largest WebSocket message accepted (the broker's maxPacketSize). */
  maxMessageBytes: number;
}

class BunPeer implements WsPeer {
  constructor(private readonly ws: BunWs) {}
  get remoteAddress(): string {
    return this.ws.data.address;
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
    const data = { conn: null, address: server.requestIP(req)?.address ?? "" };
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
  const tls = o.tls === undefined ? undefined : {
    cert: o.tls.cert, key: o.tls.key, ...(o.tls.ca === undefined ? {} : { ca: o.tls.ca }),
    requestCert: o.tls.requireCertificate, rejectUnauthorized: o.tls.requireCertificate,
    ...(o.tls.minVersion === "TLSv1.3" ? { secureOptions: SSL_OP_NO_TLSv1_2 } : {}),
  };
  let server: BunHttpServer;
  try {
    server = bun.serve({ hostname: config.host, port: config.port, fetch, websocket, ...(tls === undefined ? {} : { tls }) });
  } catch (err) {
    return Promise.reject(err);
  }
  let closing: Promise<void> | null = null;
  return Promise.resolve({
    host: config.host,
    port: server.port,
    close(): Promise<void> {
      closing ??= (async () => {
        server.stop(false);
        await registry.closeAll();
        server.stop(true);
      })();
      return closing;
    },
  });
}

/** The embedder's handler, with its failures answered as 500 instead of breaking the listener. */
export async function safeServe(req: Request, handler: HttpHandler | undefined): Promise<Response> {
  try {
    return await serveHttp(req, handler);
  } catch {
    return new Response("Internal Server Error\n", { status: 500 });
  }
}
