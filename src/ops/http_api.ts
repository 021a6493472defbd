/**
 * The operations HTTP endpoint as a fetch-style handler, `(req: Request) => Promise<Response>`, so
 * any server can mount it (the broker's `httpHandler`, which serves `http` listeners and the
 * non-upgrade requests of WebSocket listeners, or an embedder's own Bun.serve / Deno.serve):
 *
 *   GET  /metrics                          Prometheus text format
 *   GET  /healthz                          the process answers
 *   GET  /readyz                           the broker is listening and storage commits (503 otherwise)
 *   GET  /  or /dashboard                  the live dashboard (HTML, no external assets)
 *   GET  /api/v1/overview                  what the dashboard shows, plus the per-second history
 *   GET  /api/v1/events                    the overview every second (Server-Sent Events)
 *   GET  /api/v1/clients?state=&search=&protocol=&offset=&limit=
 *   GET  /api/v1/clients/{id}              one client: session, subscriptions, queue and inflight
 *   POST /api/v1/clients/{id}/disconnect   close its connection (v5 DISCONNECT 0x98), keep its session
 *   DELETE /api/v1/clients/{id}            close its connection and discard its session
 *   GET  /api/v1/subscriptions?search=&offset=&limit=
 *   GET  /api/v1/retained?filter=&limit=   retained messages whose topics match the filter
 *   DELETE /api/v1/retained?topic=         delete one retained message
 *
 * With a token configured every route but the probes needs `Authorization: Bearer TOKEN` (or
 * `?token=` on a GET, for the browser's page and event stream).
 */
import type { Broker } from "../broker/broker.ts";
import { timingSafeEqual } from "node:crypto";
import { client, clients, removeRetained, retained, subscriptions } from "./api_routes.ts";
import { DASHBOARD_HTML } from "./dashboard_html.ts";
import { errorResponse, HttpError, json } from "./http_errors.ts";
import { Operations } from "./operations.ts";
import { PROM_CONTENT_TYPE } from "./prom_text.ts";
import { eventStream, type StreamSet } from "./sse.ts";

/** Options of createOpsHandler. */
export interface OpsHandlerOptions {
  /** Bearer token required on every route but /healthz and /readyz; "" or absent = none. */
  token?: string;
  /**
   * More readiness checks for /readyz besides the MQTT listener (storage, cluster link, …), by
   * name: each answers whether its part is healthy. /readyz is 503 while any says no (or throws).
   */
  readyChecks?: Record<string, () => boolean | Promise<boolean>>;
  /** Where unexpected errors are reported (default: the broker's log). */
  log?: (message: string) => void;
}

/** The handler, plus close() to detach it from the broker and end its event streams. */
export interface OpsHandler {
  (req: Request): Promise<Response>;
  readonly operations: Operations;
  close(): void;
}

type Route = (req: Request, url: URL) => Response | Promise<Response>;

/** Creates the operations handler of `broker`. */
export function createOpsHandler(broker: Broker, opts: OpsHandlerOptions = {}): OpsHandler {
  const ops = new Operations(broker);
  const streams: StreamSet = new Set();
  const core = broker.core;
  const log = opts.log ?? core.opts.log;
  const token = opts.token ?? "";

  const routes: Record<string, Partial<Record<string, Route>>> = {
    "/metrics": { GET: () => new Response(ops.metrics(), { headers: { "content-type": PROM_CONTENT_TYPE } }) },
    "/healthz": { GET: () => json({ status: "ok" }) },
    "/readyz": { GET: () => readiness(broker, opts.readyChecks ?? {}) },
    "/": { GET: () => html() },
    "/dashboard": { GET: () => html() },
    "/api/v1/overview": { GET: () => json({ ...ops.overview(), history: ops.rates() }) },
    "/api/v1/events": { GET: () => eventStream(ops, streams) },
    "/api/v1/clients": { GET: (_req, url) => clients(core, url.searchParams) },
    "/api/v1/subscriptions": { GET: (_req, url) => subscriptions(core, url.searchParams) },
    "/api/v1/retained": { GET: (_req, url) => retained(core, url.searchParams), DELETE: (_req, url) => removeRetained(core, url.searchParams) },
  };

  function authorize(req: Request, url: URL): void {
    if (token === "" || url.pathname === "/healthz" || url.pathname === "/readyz") return;
    const header = req.headers.get("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : req.method === "GET" ? url.searchParams.get("token") ?? "" : "";
    if (!sameSecret(given, token)) throw new HttpError(401, "a valid bearer token is required", { "www-authenticate": 'Bearer realm="vireo"' });
  }

  async function route(req: Request): Promise<Response> {
    const url = new URL(req.url);
    authorize(req, url);
    const path = url.pathname.length > 1 && url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname;
    if (path.startsWith("/api/v1/clients/")) return client(core, req, path.slice("/api/v1/clients/".length));
    const methods = routes[path];
    if (methods === undefined) throw new HttpError(404, `no route ${path}`);
    const f = methods[req.method === "HEAD" ? "GET" : req.method];
    if (f === undefined) {
      const allow = Object.keys(methods).join(", ");
      throw new HttpError(405, `${req.method} is not allowed here (allowed: ${allow})`, { allow });
    }
    return await f(req, url);
  }

  const handler = (async (req: Request): Promise<Response> => {
    try {
      return await route(req);
    } catch (err) {
      if (err instanceof HttpError) return errorResponse(err);
      log(`ops API: internal error on ${req.method} ${new URL(req.url).pathname}: ${(err as Error).stack ?? err}`);
      return errorResponse(new HttpError(500, "internal error"));
    }
  }) as OpsHandler;
  Object.defineProperty(handler, "operations", { value: ops });
  handler.close = () => {
    for (const s of streams) s.close();
    streams.clear();
    ops.close();
  };
  return handler;
}

/**
 * /readyz: 200 when the MQTT listener is open, storage commits (no failed commit being retried)
 * and every extra check passes, else 503 naming those that fail.
 */
async function readiness(broker: Broker, checks: Record<string, () => boolean | Promise<boolean>>): Promise<Response> {
  const failing: string[] = broker.listening ? [] : ["listener"];
  if (!broker.storageHealthy) failing.push("storage");
  for (const [name, check] of Object.entries(checks)) {
    let ok = false;
    try {
      ok = await check();
    } catch { /* a check that throws is a failing one */ }
    if (!ok) failing.push(name);
  }
  return failing.length === 0 ? json({ status: "ready" }) : json({ status: "not ready", failing }, 503);
}

function html(): Response {
  return new Response(DASHBOARD_HTML, {
    headers: {
      "content-type": "text/html; charset=utf-8", "cache-control": "no-store",
      // Everything is inline and same-origin: nothing may be fetched from elsewhere.
      "content-security-policy": "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
    },
  });
}

/** Constant-time comparison (the token must not leak through response timing). */
function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given), b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
