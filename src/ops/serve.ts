/**
 * A minimal HTTP server for the operations handler on the runtime's own server (Bun.serve or
 * Deno.serve), so the CLI can serve /metrics, the API and the dashboard before the listener layer
 * (src/listeners/) offers `protocol: "http"` listeners; it is meant to be folded into them.
 */
import { ConfigError } from "../config/config.ts";

/** A running HTTP server. */
export interface HttpServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

type Handler = (req: Request) => Promise<Response>;

interface BunServe {
  serve(o: { hostname: string; port: number; fetch: Handler; idleTimeout?: number }): { port: number; stop(force?: boolean): Promise<void> | void };
}
interface DenoServe {
  serve(o: { hostname: string; port: number; onListen?: (a: { port: number }) => void; handler: Handler; signal?: AbortSignal }): { finished: Promise<void>; addr: { port: number } };
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Splits "host:port" (config httpListen). @throws ConfigError */
export function parseHostPort(value: string, key = "httpListen"): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  if (m === null || Number(m[2]) > 65535) throw new ConfigError(`"${key}" must be HOST:PORT (e.g. "127.0.0.1:8080"), got ${JSON.stringify(value)}`, key);
  return { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

/** Serves `handler` on host:port (0 = a free port). Rejects when the address cannot be bound. */
export async function serveHttp(host: string, port: number, handler: Handler): Promise<HttpServer> {
  const g = globalThis as { Bun?: BunServe; Deno?: DenoServe };
  if (g.Bun !== undefined) {
    // idleTimeout 0: the dashboard's event stream stays open between its once-a-second events.
    const server = g.Bun.serve({ hostname: host, port, fetch: handler, idleTimeout: 0 });
    return { host, port: server.port, close: async () => void (await server.stop(true)) };
  }
  if (g.Deno !== undefined) {
    const abort = new AbortController();
    let bound = 0;
    const server = g.Deno.serve({ hostname: host, port, handler, signal: abort.signal, onListen: (a) => (bound = a.port) });
    return {
      host, port: bound || server.addr.port, close: async () => {
        abort.abort();
        await server.finished;
      },
    };
  }
  throw new Error("serveHttp: needs Bun or Deno");
}
