/**
 * How the CLI serves the operations routes (/metrics, probes, admin API, dashboard): on every
 * `http` listener and, for non-upgrade requests, on every `ws` / `wss` listener (the listener
 * layer hands those to the broker's httpHandler). `--http HOST:PORT` (config httpListen) adds an
 * `http` listener. The admin API never opens unprotected beyond loopback: an `http` listener
 * reachable from other machines needs apiToken (else exit 2); a WebSocket listener that is
 * reachable keeps serving MQTT, but without a token the routes are then served nowhere (a
 * warning says so), since a request does not tell which listener it came through.
 */
import { type Config, ConfigError, effectiveListeners } from "../config/config.ts";
import type { ListenerConfig } from "../config/listener_config.ts";

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

/** What the CLI opens and whether it mounts the operations routes. */
export interface OpsPlan {
  /** Every listener to open (the config's, plus the httpListen one). */
  listeners: ListenerConfig[];
  /** Mount the routes as the broker's httpHandler. */
  serve: boolean;
  /** Said once at start when the routes are held back. */
  warning?: string;
}

/** Plans the listeners and the routes. @throws ConfigError (bad httpListen, an open http listener without token) */
export function planOps(config: Config): OpsPlan {
  const listeners = effectiveListeners(config);
  if (config.httpListen !== "") listeners.push({ ...parseHostPort(config.httpListen), protocol: "http", origin: "httpListen" });
  const web = listeners.filter((l) => l.protocol === "http" || l.protocol === "ws" || l.protocol === "wss");
  if (web.length === 0) return { listeners, serve: false };
  if (config.apiToken !== "") return { listeners, serve: true };
  const open = web.filter((l) => !isLoopback(l.host));
  const openHttp = open.find((l) => l.protocol === "http");
  if (openHttp !== undefined) {
    throw new ConfigError(`the http listener ${openHttp.host}:${openHttp.port} is reachable from other machines: set "apiToken" (--api-token) for its admin API`, "apiToken");
  }
  if (open.length > 0) {
    const l = open[0];
    return { listeners, serve: false, warning: `/metrics, the admin API and the dashboard are not served: the ${l.protocol} listener ${l.host}:${l.port} is reachable from other machines and no "apiToken" is set` };
  }
  return { listeners, serve: true };
}
