/**
 * Turns the configured listeners into running servers that feed one broker: plain TCP and mqtts
 * through the transport adapters, ws / wss / http through the runtimes' HTTP servers. Checks the
 * list first (two listeners on one port, TLS files) so a bad config fails before anything binds,
 * and binds all or none.
 */
import type { ListenerConfig } from "../config/listener_config.ts";
import { createTransport, detectRuntime } from "../transport/index.ts";
import type { ConnectionHandlers, Listener, TlsMaterial } from "../transport/types.ts";
import { describeListener, ListenerError } from "./errors.ts";
import type { HttpHandler } from "./http_routes.ts";
import { readTlsMaterial } from "./tls_files.ts";
import { listenError } from "./bind_check.ts";

/** One bound listener, as `Broker.listen()` reports it. */
export interface BoundListener {
  protocol: ListenerConfig["protocol"];
  host: string;
  /** The real port (differs from the config's when it asked for 0). */
  port: number;
}

/** What the listeners share. */
export interface ListenerSetOptions {
  handlers: ConnectionHandlers;
  /** Serves HTTP requests other than MQTT upgrades on ws / wss / http listeners (default 404). */
  httpHandler?: HttpHandler;
  /** Largest WebSocket message accepted (the broker's maxPacketSize). */
  maxMessageBytes: number;
  /** Longest a TLS handshake may take (the broker's connect timeout; 0 = the default). */
  handshakeTimeoutMs?: number;
  /** Half-closed linger of a connection the broker ends (see ListenOptions.lingerMs). */
  lingerMs?: number;
  /** Connections expected at once (descriptor table reservation, see ListenOptions). */
  reserveDescriptors?: number;
}

const PROTOCOLS = new Set(["mqtt", "mqtts", "ws", "wss", "http"]);
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", ""]);

/**
 * Checks a listener list before binding: known protocols, valid ports, TLS exactly where needed,
 * and no two listeners on one port of overlapping addresses.
 * @throws ListenerError naming the listener(s).
 */
export function checkListeners(list: readonly ListenerConfig[]): void {
  for (const l of list) {
    if (!PROTOCOLS.has(l.protocol)) throw new ListenerError(`${describeListener(l)}: unknown protocol (mqtt, mqtts, ws, wss, http)`);
    if (!Number.isInteger(l.port) || l.port < 0 || l.port > 65535) throw new ListenerError(`${describeListener(l)}: port must be 0-65535`);
    const secure = l.protocol === "mqtts" || l.protocol === "wss";
    if (secure && l.tls === undefined) throw new ListenerError(`${describeListener(l)}: needs certfile and keyfile`);
    if (!secure && l.tls !== undefined) throw new ListenerError(`${describeListener(l)}: TLS files given, but ${l.protocol} is not a TLS protocol (mqtts and wss are)`);
  }
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = list[j], b = list[i];
      const overlap = a.host === b.host || WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host);
      if (a.port !== 0 && a.port === b.port && overlap) {
        throw new ListenerError(`${describeListener(b)}: port ${b.port} is already used by ${describeListener(a)}`);
      }
    }
  }
}

/** Running listeners. */
export class ListenerSet {
  private constructor(private readonly configs: readonly ListenerConfig[], private readonly running: Listener[]) {}

  /**
   * Binds every listener (all or none).
   * @throws ListenerError naming the listener (and file) at fault.
   */
  static async open(configs: readonly ListenerConfig[], o: ListenerSetOptions): Promise<ListenerSet> {
    checkListeners(configs);
    const material = configs.map((l) => (l.tls === undefined ? undefined : readTlsMaterial(l)));
    const running: Listener[] = [];
    try {
      for (let i = 0; i < configs.length; i++) running.push(await openOne(configs[i], material[i], o));
    } catch (err) {
      await Promise.all(running.map((l) => l.close()));
      throw err;
    }
    return new ListenerSet(configs, running);
  }

  /** Where each listener is bound, in config order. */
  get bound(): BoundListener[] {
    return this.running.map((l, i) => ({ protocol: this.configs[i].protocol, host: l.host, port: l.port }));
  }

  /**
   * Re-reads every TLS listener's certificate and key (SIGHUP): new handshakes use them, open
   * connections keep theirs. A listener whose files are now bad keeps its old material.
   * @returns one message per listener that could not reload (empty = all reloaded).
   */
  async reloadTls(): Promise<string[]> {
    const problems: string[] = [];
    for (let i = 0; i < this.configs.length; i++) {
      const running = this.running[i], l = { ...this.configs[i], port: running.port }; // name the real port
      if (l.tls === undefined) continue;
      if (running.reloadTls === undefined) {
        problems.push(`${describeListener(l)}: certificate reload is not supported here; restart to use new files`);
        continue;
      }
      try {
        await running.reloadTls(readTlsMaterial(l));
      } catch (err) {
        problems.push(err instanceof ListenerError ? err.message : `${describeListener(l)}: reload failed: ${(err as Error).message}`);
      }
    }
    return problems;
  }

  /** Closes every listener (each ends its connections, see Listener.close). */
  async close(): Promise<void> {
    await Promise.all(this.running.map((l) => l.close()));
  }
}

async function openOne(l: ListenerConfig, tls: TlsMaterial | undefined, o: ListenerSetOptions): Promise<Listener> {
  try {
    if (l.protocol === "mqtt" || l.protocol === "mqtts") {
      return await createTransport().listen({
        host: l.host, port: l.port, protocol: l.protocol, tls, useIdentityAsUsername: l.tls?.useIdentityAsUsername ?? false,
        maxConnections: l.maxConnections ?? 0, reserveDescriptors: o.reserveDescriptors,
        handshakeTimeoutMs: o.handshakeTimeoutMs || undefined, lingerMs: o.lingerMs,
      }, o.handlers);
    }
    const ws = { config: l, handlers: o.handlers, tls, httpHandler: o.httpHandler, maxMessageBytes: o.maxMessageBytes };
    if (l.tls?.useIdentityAsUsername) throw new ListenerError(`${describeListener(l)}: useIdentityAsUsername is supported on mqtts listeners only`);
    if (detectRuntime() === "bun") return await (await import("./ws_bun.ts")).listenWsBun(ws);
    return await (await import("./ws_deno.ts")).listenWsDeno(ws);
  } catch (err) {
    if (err instanceof ListenerError) throw err;
    throw new ListenerError(`${describeListener(l)}: ${listenError(l.host, l.port, err).message}`);
  }
}
