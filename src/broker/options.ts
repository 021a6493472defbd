/**
 * Broker options: the project Config plus broker-only knobs, with their defaults.
 */
import { type Config, DEFAULT_CONFIG } from "../config/config.ts";
import type { BrokerHooks } from "./hooks.ts";
import type { LogFn } from "../log/sink.ts";
import type { StorageBackend } from "../storage/types.ts";
import type { HttpHandler } from "../listeners/http_routes.ts";

/** What `new Broker(options)` accepts: any Config field, plus embedder hooks. */
export interface BrokerOptions extends Partial<Config> {
  /**
   * Log sink for drops and connection problems (default: console.error with a prefix; tests pass a
   * no-op). `fields` carry the level and, for connection events, what happened and to whom
   * (src/log/sink.ts writes them as text or JSON lines).
   */
  log?: LogFn;
  /** Millisecond clock (tests inject a fake one); default Date.now. */
  now?: () => number;
  /** Embedder hooks (authentication, connect/disconnect notifications). */
  hooks?: BrokerHooks;
  /**
   * A storage backend to restore from and record to (e.g. a MemoryBackend shared by two brokers
   * in a test, or the cluster's). When absent, `persistence: true` opens the SQLite file in
   * persistenceLocation; otherwise the broker keeps everything in memory only.
   */
  storage?: StorageBackend;
  /** Answers HTTP requests on ws / wss / http listeners that are not MQTT upgrades (default 404). */
  httpHandler?: HttpHandler;
}

/** Options with every field resolved. */
export interface ResolvedOptions extends Config {
  log: LogFn;
  now: () => number;
  hooks: BrokerHooks;
  storage: StorageBackend | null;
  httpHandler?: HttpHandler;
}

/** Fills in defaults. */
export function resolveOptions(options: BrokerOptions = {}): ResolvedOptions {
  const log = options.log ?? ((m: string) => console.error(`vireo: ${m}`));
  const now = options.now ?? (() => Date.now());
  return { ...DEFAULT_CONFIG, ...stripUndefined(options), log, now, hooks: options.hooks ?? {}, storage: options.storage ?? null };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
