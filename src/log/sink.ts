/**
 * Where the broker's log lines go and how they look: Mosquitto's `log_type` (which kinds are
 * written) and `log_dest` (stderr, stdout, a file, none), as text or JSON lines (`--log-format
 * json`). The broker calls its `log(message, fields)`; this module decides whether and how to
 * write it. Lines that are not enabled cost the caller one call and a set lookup; the connection
 * lines themselves are only produced when `verbose` (or log type notice) asks for them.
 */
import { appendFileSync } from "node:fs";
import process from "node:process";

/** Mosquitto's log types, from most to least severe; `all` and `none` are shorthands. */
export const LOG_TYPES = ["error", "warning", "notice", "information", "debug", "subscribe", "unsubscribe", "websockets"] as const;
/** One log type. */
export type LogType = (typeof LOG_TYPES)[number];
/** Accepted in config: a log type, `all` or `none`. */
export const LOG_TYPE_VALUES: readonly string[] = [...LOG_TYPES, "all", "none"];

/** Structured fields of a line (JSON keys; the text format shows only the message). */
export interface LogFields {
  /** Default "information" for a line without fields; "error" for internal errors. */
  level?: LogType;
  /** What happened: "connect", "disconnect", "protocol_error", "refused", "drop", … */
  event?: string;
  clientId?: string | null;
  address?: string;
  /** Why (a disconnect's or refusal's reason), in words. */
  reason?: string;
  /** The MQTT reason code involved, if any. */
  reasonCode?: number;
  [key: string]: unknown;
}

/** A log function as the broker takes it. */
export type LogFn = (message: string, fields?: LogFields) => void;

/** How to log. */
export interface LogSinkOptions {
  format: "text" | "json";
  /** Enabled types (`all`, `none` allowed). Default: error, warning, notice, information. */
  types?: readonly string[];
  /** Destinations: "stderr", "stdout", "file PATH", "none". Default: ["stderr"]. */
  dests?: readonly string[];
  /** Clock for timestamps (tests). */
  now?: () => number;
}

/** The default log types, Mosquitto's. */
export const DEFAULT_LOG_TYPES: readonly LogType[] = ["error", "warning", "notice", "information"];

/** The types a list enables. */
export function enabledTypes(types: readonly string[]): Set<LogType> {
  const out = new Set<LogType>();
  for (const t of types) {
    if (t === "all") for (const x of LOG_TYPES) out.add(x);
    else if (t === "none") out.clear();
    else out.add(t as LogType);
  }
  return out;
}

/** Checks a `log_dest` entry; returns an error message or null. */
export function checkLogDest(d: string): string | null {
  if (d === "stderr" || d === "stdout" || d === "none") return null;
  if (/^file\s+\S/.test(d)) return null;
  return `log destination must be stderr, stdout, none or "file PATH", got ${JSON.stringify(d)}`;
}

/** A log function writing enabled lines to every destination; `.enabled(type)` tells ahead. */
export function createLogSink(o: LogSinkOptions): LogFn & { enabled(type: LogType): boolean } {
  const types = enabledTypes(o.types ?? DEFAULT_LOG_TYPES);
  const now = o.now ?? Date.now;
  const writers = (o.dests ?? ["stderr"]).filter((d) => d !== "none").map(writerFor);
  const log = ((message: string, fields?: LogFields) => {
    const level = fields?.level ?? "information";
    if (!types.has(level) || writers.length === 0) return;
    let line: string;
    if (o.format === "json") {
      const { level: _, ...rest } = fields ?? {};
      line = JSON.stringify({ ts: new Date(now()).toISOString(), level, msg: message, ...rest });
    } else line = `vireo: ${message}`; // as ever on stderr (journald and friends add the time)
    for (const w of writers) w(line + "\n");
  }) as LogFn & { enabled(type: LogType): boolean };
  log.enabled = (type) => types.has(type);
  return log;
}

function writerFor(dest: string): (line: string) => void {
  if (dest === "stdout") return (l) => void process.stdout.write(l);
  if (dest === "stderr") return (l) => void process.stderr.write(l);
  const path = dest.replace(/^file\s+/, "");
  // Appended synchronously: log lines are rare (connections, errors) and must survive a crash.
  return (l) => {
    try {
      appendFileSync(path, l);
    } catch { /* an unwritable log must not take the broker down */ }
  };
}
