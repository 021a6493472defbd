/**
 * What a mosquitto.conf key handler (mosquitto_keys.ts) works on: the line being read, the global
 * settings built so far, the listener block the line belongs to, and value parsers that turn a
 * bad value into a ConfigError naming FILE:LINE. Parsing follows Mosquitto's src/conf.c: a key,
 * then its value; booleans are true/false/1/0; strings are the rest of the line, trimmed.
 */
import type { Config } from "./config.ts";
import { checkValue, ConfigError } from "./validate.ts";

/** A Mosquitto listener as its keys describe it, before it becomes a ListenerConfig. */
export interface ListenerDraft {
  port?: number;
  host?: string;
  /** `protocol` key: Mosquitto's mqtt / websockets, plus Vireo's http (metrics / API). */
  protocol: "mqtt" | "websockets" | "http";
  certfile?: string;
  keyfile?: string;
  cafile?: string;
  capath?: string;
  requireCertificate?: boolean;
  useIdentityAsUsername?: boolean;
  tlsVersion?: "tlsv1.2" | "tlsv1.3";
  /** Per-listener limit, 0 = none (Mosquitto's -1). */
  maxConnections?: number;
  /** Per-listener in Mosquitto, broker-wide in Vireo (the lowest value wins). */
  maxQos?: 0 | 1 | 2;
  maxTopicAlias?: number;
  /** allow_anonymous true inside this block, with per_listener_settings true. */
  allowAnonymous?: boolean;
  /** "file:line" of the `listener` line (or of the first key that made the default listener). */
  origin?: string;
  /** Where each key was set, so a cross-key error can name the line of the key at fault. */
  lines: Record<string, string>;
  /** The default listener: `port` or `bind_address` asked for it (see opensDefault in mosquitto_conf.ts). */
  used: boolean;
}

/** A new listener block with Mosquitto's defaults. */
export function newListener(origin?: string): ListenerDraft {
  return { protocol: "mqtt", origin, lines: {}, used: origin !== undefined };
}

/** The state a key handler receives. */
export interface ConfContext {
  /** "file:line" of the line being applied. */
  readonly where: string;
  /** The key being applied. */
  readonly key: string;
  /** Global settings read so far (validated Config values). */
  readonly config: Partial<Config>;
  /** The current listener block: the default listener until a `listener` line opens one. */
  readonly listener: ListenerDraft;
  /** The default listener (`port`, `bind_address` always go to it). */
  readonly defaultListener: ListenerDraft;
  /** 0 for the main file, 1 for a file read through include_dir. */
  readonly level: number;
  /** Values the finishing pass combines with others (message_size_limit), with their line. */
  readonly notes: Map<string, { value: number; where: string }>;
  /** Records a warning naming this line. */
  warn(message: string): void;
  /** Opens a `listener PORT [ADDRESS]` block. */
  openListener(port: number, host: string | undefined): void;
  /** Reads every *.conf file of `dir` (include_dir). */
  includeDir(dir: string): void;
}

/** A ConfigError naming the line and key. */
export function lineError(ctx: Pick<ConfContext, "where" | "key">, message: string): ConfigError {
  return new ConfigError(`${ctx.where}: ${ctx.key}: ${message}`, ctx.key);
}

/** The one word a key takes (a trailing `# comment` is allowed, anything else is an error). */
export function word(value: string, ctx: ConfContext): string {
  const parts = value.split(/[ \t]+/).filter((p) => p !== "");
  if (parts.length === 0) throw lineError(ctx, "missing value");
  if (parts.length > 1 && !parts[1].startsWith("#")) throw lineError(ctx, `expected one value, got ${JSON.stringify(value)}`);
  return parts[0];
}

/** true / false (or 1 / 0, as Mosquitto accepts). */
export function bool(value: string, ctx: ConfContext): boolean {
  const w = word(value, ctx);
  if (w === "true" || w === "1") return true;
  if (w === "false" || w === "0") return false;
  throw lineError(ctx, `expected true or false, got ${JSON.stringify(w)}`);
}

/** A decimal integer within [min, max]. */
export function int(value: string, ctx: ConfContext, min: number, max: number): number {
  const w = word(value, ctx);
  if (!/^-?\d+$/.test(w)) throw lineError(ctx, `expected an integer, got ${JSON.stringify(w)}`);
  const n = Number(w);
  if (n < min || n > max) throw lineError(ctx, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** The rest of the line, trimmed (paths may contain spaces, as in Mosquitto). */
export function str(value: string, ctx: ConfContext): string {
  const s = value.trim();
  if (s === "") throw lineError(ctx, "missing value");
  return s;
}

/** Sets a global Config value after the same check the JSON syntax applies. */
export function setGlobal<K extends keyof Config>(ctx: Pick<ConfContext, "where" | "key" | "config">, key: K, value: Config[K]): void {
  try {
    checkValue(key, value, ctx.where);
  } catch (err) {
    throw lineError(ctx, `${(err as Error).message.slice(ctx.where.length + 2)} (Vireo setting ${key})`);
  }
  ctx.config[key] = value;
}

/** Sets a listener string value once (Mosquitto refuses a duplicate within one listener). */
export function setListenerText(ctx: ConfContext, field: "certfile" | "keyfile" | "cafile" | "capath", value: string): void {
  const l = ctx.listener;
  if (l[field] !== undefined) throw lineError(ctx, `given twice for this listener (first at ${l.lines[field]})`);
  l[field] = str(value, ctx);
  l.lines[field] = ctx.where;
}
