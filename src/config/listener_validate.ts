/**
 * Validation of the `listeners` setting. validateListeners checks the JSON shape (every key known,
 * every value typed) and then checkListeners, which both config syntaxes share, checks what only
 * makes sense across keys: TLS files present and readable for mqtts / wss, a CA for mutual TLS,
 * no two listeners on one port. Messages name the listener by index or by its FILE:LINE origin.
 */
import { accessSync, constants, statSync } from "node:fs";
import { ConfigError, describe } from "./validate.ts";
import type { ListenerConfig, ListenerProtocol, ListenerTls } from "./listener_config.ts";

const PROTOCOLS: readonly ListenerProtocol[] = ["mqtt", "mqtts", "ws", "wss", "http"];
const LISTENER_KEYS = new Set(["port", "host", "protocol", "tls", "path", "maxConnections"]);
const TLS_KEYS = new Set(["certfile", "keyfile", "cafile", "capath", "requireCertificate", "useIdentityAsUsername", "tlsVersion"]);
const TLS_VERSIONS = ["tlsv1.2", "tlsv1.3"];

/**
 * Checks a JSON `listeners` value and returns it normalised (protocol defaults to "mqtt", host
 * to `fallbackHost`, origin set to `source listeners[i]`).
 * @throws ConfigError naming "listeners[i].key".
 */
export function validateListeners(value: unknown, source: string, fallbackHost: string): ListenerConfig[] {
  if (!Array.isArray(value)) throw new ConfigError(`${source}: "listeners" must be an array of listener objects, got ${describe(value)}`, "listeners");
  const out = value.map((item, i) => listenerFromJson(item, `${source}: "listeners[${i}]`, fallbackHost, `${source} listeners[${i}]`));
  checkListeners(out);
  return out;
}

function listenerFromJson(item: unknown, at: string, fallbackHost: string, origin: string): ListenerConfig {
  const o = object(item, `${at}"`);
  for (const key of Object.keys(o)) if (!LISTENER_KEYS.has(key)) fail(`${at}.${key}" is not a listener setting (expected one of ${[...LISTENER_KEYS].join(", ")})`);
  const port = integer(o.port, `${at}.port"`, 0, 65_535);
  const host = o.host === undefined ? fallbackHost : text(o.host, `${at}.host"`);
  const protocol = o.protocol === undefined ? "mqtt" : o.protocol;
  if (typeof protocol !== "string" || !PROTOCOLS.includes(protocol as ListenerProtocol)) {
    fail(`${at}.protocol" must be one of ${PROTOCOLS.join(", ")}, got ${describe(protocol)}`);
  }
  const out: ListenerConfig = { port, host, protocol: protocol as ListenerProtocol, origin };
  if (o.tls !== undefined) out.tls = tlsFromJson(o.tls, `${at}.tls`);
  if (o.path !== undefined) out.path = text(o.path, `${at}.path"`);
  if (o.maxConnections !== undefined) out.maxConnections = integer(o.maxConnections, `${at}.maxConnections"`, 0, Number.MAX_SAFE_INTEGER);
  return out;
}

function tlsFromJson(value: unknown, at: string): ListenerTls {
  const o = object(value, `${at}"`);
  for (const key of Object.keys(o)) if (!TLS_KEYS.has(key)) fail(`${at}.${key}" is not a TLS setting (expected one of ${[...TLS_KEYS].join(", ")})`);
  if (o.certfile === undefined || o.keyfile === undefined) fail(`${at}" needs both "certfile" and "keyfile"`);
  const tls: ListenerTls = { certfile: text(o.certfile, `${at}.certfile"`), keyfile: text(o.keyfile, `${at}.keyfile"`) };
  if (o.cafile !== undefined) tls.cafile = text(o.cafile, `${at}.cafile"`);
  if (o.capath !== undefined) tls.capath = text(o.capath, `${at}.capath"`);
  if (o.requireCertificate !== undefined) tls.requireCertificate = bool(o.requireCertificate, `${at}.requireCertificate"`);
  if (o.useIdentityAsUsername !== undefined) tls.useIdentityAsUsername = bool(o.useIdentityAsUsername, `${at}.useIdentityAsUsername"`);
  if (o.tlsVersion !== undefined) {
    if (!TLS_VERSIONS.includes(o.tlsVersion as string)) fail(`${at}.tlsVersion" must be "tlsv1.2" or "tlsv1.3", got ${describe(o.tlsVersion)}`);
    tls.tlsVersion = o.tlsVersion as ListenerTls["tlsVersion"];
  }
  return tls;
}

/**
 * Cross-key checks on a listener list, shared by both config syntaxes: TLS settings exactly on
 * mqtts / wss, TLS files readable, a CA when client certificates are required, a WebSocket path
 * only on ws / wss, and no two listeners that would bind the same port.
 * @throws ConfigError naming the listener's origin.
 */
export function checkListeners(listeners: readonly ListenerConfig[]): void {
  listeners.forEach((l, i) => checkOne(l, l.origin ?? `listeners[${i}]`));
  for (let i = 0; i < listeners.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = listeners[j], b = listeners[i];
      if (a.port !== 0 && a.port === b.port && (a.host === b.host || isWildcard(a.host) || isWildcard(b.host))) {
        fail(`${b.origin ?? `listeners[${i}]`}: port ${b.port} is already used by the listener at ${a.origin ?? `listeners[${j}]`} (two listeners cannot bind one port)`);
      }
    }
  }
}

function checkOne(l: ListenerConfig, at: string): void {
  const secure = l.protocol === "mqtts" || l.protocol === "wss";
  if (secure && l.tls === undefined) fail(`${at}: protocol ${l.protocol} needs TLS settings (certfile and keyfile)`);
  if (!secure && l.tls !== undefined) fail(`${at}: TLS settings given for a plain ${l.protocol} listener (use protocol ${l.protocol === "ws" ? "wss" : "mqtts"})`);
  if (l.path !== undefined) {
    if (l.protocol !== "ws" && l.protocol !== "wss") fail(`${at}: "path" only applies to ws and wss listeners, not ${l.protocol}`);
    if (!l.path.startsWith("/")) fail(`${at}: "path" must start with "/", got ${JSON.stringify(l.path)}`);
  }
  const tls = l.tls;
  if (tls === undefined) return;
  readable(tls.certfile, `${at}: certfile`);
  readable(tls.keyfile, `${at}: keyfile`);
  if (tls.cafile !== undefined) readable(tls.cafile, `${at}: cafile`);
  if (tls.capath !== undefined) directory(tls.capath, `${at}: capath`);
  if (tls.requireCertificate && tls.cafile === undefined && tls.capath === undefined) {
    fail(`${at}: requiring client certificates needs a cafile or capath to check them against`);
  }
}

/** Throws unless `path` is a readable regular file. */
export function readable(path: string, what: string): void {
  readablePath(path, what, "file");
}

/** Throws unless `path` is a readable directory. */
export function directory(path: string, what: string): void {
  readablePath(path, what, "directory");
}

function readablePath(path: string, what: string, kind: "file" | "directory"): void {
  try {
    const st = statSync(path);
    if (kind === "file" ? !st.isFile() : !st.isDirectory()) fail(`${what} ${JSON.stringify(path)} is not a ${kind}`);
    accessSync(path, constants.R_OK);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    fail(`${what} ${JSON.stringify(path)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

function fail(message: string): never {
  throw new ConfigError(message, "listeners");
}

function object(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(`${at} must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function integer(v: unknown, at: string, min: number, max: number): number {
  if (v === undefined) fail(`${at} is required`);
  if (typeof v !== "number" || !Number.isInteger(v)) fail(`${at} must be an integer, got ${describe(v)}`);
  if (v < min || v > max) fail(`${at} must be between ${min} and ${max}, got ${v}`);
  return v;
}

function text(v: unknown, at: string): string {
  if (typeof v !== "string") fail(`${at} must be a string, got ${describe(v)}`);
  if (v.length === 0) fail(`${at} must not be empty`);
  return v;
}

function bool(v: unknown, at: string): boolean {
  if (typeof v !== "boolean") fail(`${at} must be true or false, got ${describe(v)}`);
  return v;
}
