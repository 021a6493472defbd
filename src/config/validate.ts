/**
 * Validation rules for Config keys, shared by the file loader and the flag parser so both report
 * the same messages for the same mistakes.
 */
import { readFileSync } from "node:fs";
import type { Config } from "./config.ts";
import { checkLogDest, LOG_TYPE_VALUES } from "../log/sink.ts";
import { validateListeners } from "./listener_validate.ts";

/** A configuration problem; the message names the source and key. Exit code 2 in main. */
export class ConfigError extends Error {
  /** The offending Config key, when the error is about one. */
  readonly key: string | undefined;

  constructor(message: string, key?: string) {
    super(message);
    this.name = "ConfigError";
    this.key = key;
  }
}

/**
 * The text of a file the configuration names (config file, password file, ACL file).
 * @throws ConfigError with `unreadable(reason)` as its message when it cannot be read.
 */
export function readConfigText(path: string, unreadable: (reason: string) => string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(unreadable((err as Error).message));
  }
}

type Rule =
  | { kind: "string"; nonEmpty?: boolean; oneOf?: readonly string[] }
  | { kind: "boolean"; nullable?: boolean }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "list"; check: (item: string) => string | null }
  | { kind: "integer"; min: number; max: number; note?: string }
  | { kind: "listeners" }; // checked by listener_validate.ts

const U16 = 65_535;
const U32 = 0xffff_ffff;
const BIG = Number.MAX_SAFE_INTEGER;

/** One rule per Config key; a key missing here is unknown and rejected. */
const RULES: Record<keyof Config, Rule> = {
  host: { kind: "string", nonEmpty: true }, // the default "" (chosen by the access policy) cannot be written
  port: { kind: "integer", min: 0, max: U16 },
  listeners: { kind: "listeners" },
  maxPacketSize: { kind: "integer", min: 16, max: 268_435_460 },
  maxInflight: { kind: "integer", min: 1, max: U16 },
  receiveMaximum: { kind: "integer", min: 1, max: U16 }, // 0 is a protocol error in CONNACK
  maxQueuedMessages: { kind: "integer", min: 0, max: BIG },
  maxRetainedBacklog: { kind: "integer", min: 0, max: BIG },
  maxKeepAlive: { kind: "integer", min: 0, max: U16 },
  sessionExpiryMaximum: { kind: "integer", min: 0, max: U32 },
  topicAliasMaximum: { kind: "integer", min: 0, max: U16 },
  outboundTopicAliasMaximum: { kind: "integer", min: 0, max: U16 },
  maxTopicLength: { kind: "integer", min: 1, max: U16 },
  maxConnections: { kind: "integer", min: 0, max: BIG },
  // The server MUST allow 1..23 byte client ids [MQTT-3.1.3-5].
  maxClientIdLength: { kind: "integer", min: 23, max: U16, note: "the spec requires at least 23" },
  allowZeroLengthClientId: { kind: "boolean" },
  retainAvailable: { kind: "boolean" },
  wildcardSubscriptionAvailable: { kind: "boolean" },
  sharedSubscriptionAvailable: { kind: "boolean" },
  subscriptionIdentifierAvailable: { kind: "boolean" },
  maximumQoS: { kind: "integer", min: 0, max: 2 },
  connectTimeoutMs: { kind: "integer", min: 0, max: BIG },
  maxBufferedBytes: { kind: "integer", min: 0, max: BIG },
  keepAliveTickMs: { kind: "integer", min: 1, max: 60_000 },
  warmupMessages: { kind: "integer", min: 0, max: 10_000_000 },
  runtimeThreadsNice: { kind: "integer", min: 0, max: 19 },
  persistence: { kind: "boolean" },
  persistenceLocation: { kind: "string", nonEmpty: true },
  persistenceFile: { kind: "string", nonEmpty: true },
  persistenceSync: { kind: "string", oneOf: ["normal", "full"] },
  persistentClientExpiration: { kind: "integer", min: 0, max: U32 },
  maxPersistentSessions: { kind: "integer", min: 0, max: BIG },
  maxQueuedBytes: { kind: "integer", min: 0, max: BIG },
  closeLingerMs: { kind: "integer", min: 0, max: 60_000 },
  verbose: { kind: "boolean" },
  sysInterval: { kind: "integer", min: 0, max: 86_400 },
  httpListen: { kind: "string" },
  apiToken: { kind: "string" },
  logFormat: { kind: "enum", values: ["text", "json"] },
  logType: { kind: "list", check: (t) => LOG_TYPE_VALUES.includes(t) ? null : `unknown log type ${JSON.stringify(t)} (one of ${LOG_TYPE_VALUES.join(", ")})` },
  logDest: { kind: "list", check: checkLogDest },
  passwordFile: { kind: "string" },
  aclFile: { kind: "string" },
  allowAnonymous: { kind: "boolean", nullable: true }, // null = the default policy
};

/** Every valid Config key, in declaration order (for help text and error hints). */
export const CONFIG_KEYS = Object.keys(RULES) as (keyof Config)[];

/** Whether `key` names a Config setting. */
export function isConfigKey(key: string): key is keyof Config {
  return Object.prototype.hasOwnProperty.call(RULES, key);
}

/**
 * Checks that `input` is an object whose every key is a known setting with a valid value.
 * @param source where the values came from, for messages ("config file x.json", "--port").
 * @throws ConfigError on the first problem.
 */
export function validateConfig(input: unknown, source: string): Partial<Config> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError(`${source}: expected a JSON object of settings, got ${describe(input)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!isConfigKey(key)) {
      throw new ConfigError(`${source}: unknown setting "${key}"${suggest(key)}`, key);
    }
    if (key === "listeners") {
      // A listener without its own host takes the file's "host" (else the default, all IPv4).
      const host = typeof (input as { host?: unknown }).host === "string" ? (input as { host: string }).host : "0.0.0.0";
      out[key] = validateListeners(value, source, host || "0.0.0.0");
      if ((out[key] as unknown[]).length > 0 && "port" in input) {
        throw new ConfigError(`${source}: "port" is not used when "listeners" is given (each listener has its own port)`, "port");
      }
      continue;
    }
    checkValue(key, value, source);
    out[key] = value;
  }
  return out as Partial<Config>;
}

/** Validates one value for `key`. @throws ConfigError */
export function checkValue(key: keyof Config, value: unknown, source: string): void {
  const rule = RULES[key];
  const where = `${source}: "${key}"`;
  if (rule.kind === "listeners") {
    validateListeners(value, source, "0.0.0.0");
  } else if (rule.kind === "boolean") {
    if (value === null && rule.nullable) return;
    if (typeof value !== "boolean") throw new ConfigError(`${where} must be true or false, got ${describe(value)}`, key);
  } else if (rule.kind === "list") {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new ConfigError(`${where} must be an array of strings, got ${describe(value)}`, key);
    for (const item of value) {
      const problem = rule.check(item);
      if (problem !== null) throw new ConfigError(`${where}: ${problem}`, key);
    }
  } else if (rule.kind === "enum") {
    if (typeof value !== "string" || !rule.values.includes(value)) {
      throw new ConfigError(`${where} must be one of ${rule.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(value)}`, key);
    }
  } else if (rule.kind === "string") {
    if (typeof value !== "string") throw new ConfigError(`${where} must be a string, got ${describe(value)}`, key);
    if (rule.nonEmpty && value.length === 0) throw new ConfigError(`${where} must not be empty`, key);
    if (rule.oneOf && !rule.oneOf.includes(value)) {
      throw new ConfigError(`${where} must be one of ${rule.oneOf.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(value)}`, key);
    }
  } else {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new ConfigError(`${where} must be an integer, got ${describe(value)}`, key);
    }
    if (value < rule.min || value > rule.max) {
      const note = rule.note ? ` (${rule.note})` : "";
      throw new ConfigError(`${where} must be between ${rule.min} and ${rule.max}${note}, got ${value}`, key);
    }
  }
}

/** The kind of value `key` takes, so the flag parser knows how to convert a string. */
export function valueKind(key: keyof Config): Rule["kind"] {
  return RULES[key].kind;
}

/** A value as an error message names it (`"text"`, `number 5`, `an array`, …). */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

/** "did you mean" for case slips and near-misses, which are the usual config typos. */
function suggest(key: string): string {
  const lower = key.toLowerCase().replace(/[-_]/g, "");
  const hit = CONFIG_KEYS.find((k) => k.toLowerCase() === lower);
  return hit ? ` (did you mean "${hit}"?)` : "";
}
