/**
 * Reads a config file in Mosquitto's own syntax (mosquitto.conf(5)) into the same Partial<Config>
 * the JSON syntax produces, plus warnings for keys Vireo ignores. Line handling, listener blocks
 * and include_dir follow Mosquitto's src/conf.c; what each key means is the table in
 * mosquitto_keys.ts (the only place to add a key). Errors are ConfigErrors naming FILE:LINE.
 *
 * Listeners, as Mosquitto: `listener PORT [ADDRESS]` opens a block and the per-listener keys that
 * follow belong to it (in an included file, keys before its first `listener` belong to the default
 * listener). `port` / `bind_address`, or a per-listener key before any `listener` line, open the
 * default listener (port 1883, all addresses). certfile + keyfile make mqtt → mqtts and
 * websockets → wss. A file with no listener at all listens on 127.0.0.1:1883 only, as Mosquitto 2.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Config, DEFAULT_CONFIG } from "./config.ts";
import type { ListenerConfig, ListenerTls } from "./listener_config.ts";
import { checkListeners, directory, readable } from "./listener_validate.ts";
import { type ConfContext, type ListenerDraft, newListener, setGlobal } from "./mosquitto_context.ts";
import { lookupKey } from "./mosquitto_keys.ts";
import { ConfigError, readConfigText } from "./validate.ts";

/** A config file's settings and the warnings to print before starting. */
export interface LoadedConfig {
  config: Partial<Config>;
  warnings: string[];
}

interface ReadState {
  readonly config: Partial<Config>;
  readonly warnings: string[];
  readonly defaultListener: ListenerDraft;
  readonly listeners: ListenerDraft[];
  readonly notes: ConfContext["notes"];
  readonly mainPath: string;
}

/**
 * Reads `path` (and the files its include_dir lines name) as mosquitto.conf.
 * @throws ConfigError naming FILE:LINE for an unknown key, a bad value, or a key Vireo refuses.
 */
export function readMosquittoConf(path: string): LoadedConfig {
  const state: ReadState = {
    config: {}, warnings: [], defaultListener: newListener(), listeners: [], notes: new Map(), mainPath: resolve(path),
  };
  readFile(path, 0, state);
  return { config: finish(state), warnings: state.warnings };
}

function readFile(path: string, level: number, state: ReadState): void {
  const text = readConfigText(path, (why) => `config file ${path}: cannot read: ${why}`);
  let current = state.defaultListener; // each file starts in the default listener (conf.c)
  const ctx = {
    where: "", key: "", config: state.config, level, notes: state.notes, defaultListener: state.defaultListener,
    get listener() { return current; },
    warn: (message: string) => state.warnings.push(`${ctx.where}: warning: ${message}`),
    openListener(port: number, host: string | undefined) {
      current = newListener(ctx.where);
      current.port = port;
      current.host = host;
      state.listeners.push(current);
    },
    includeDir: (dir: string) => includeDir(dir, ctx, state),
  };
  const lines = text.replace(/^\uFEFF/, "").split("\n"); // editors on Windows may start the file with a BOM
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim(); // also drops a CR of CRLF files
    if (line === "" || line.startsWith("#")) continue;
    const space = line.search(/[ \t]/);
    ctx.key = space < 0 ? line : line.slice(0, space);
    ctx.where = `${path}:${i + 1}`;
    applyLine(ctx, space < 0 ? "" : line.slice(space + 1), state);
  }
}

function applyLine(ctx: ConfContext & { where: string; key: string }, value: string, state: ReadState): void {
  const entry = lookupKey(ctx.key);
  if (entry === undefined) {
    throw new ConfigError(`${ctx.where}: unknown key "${ctx.key}" (not a mosquitto.conf key Vireo knows; see README "Configure with mosquitto.conf")`, ctx.key);
  }
  if ("unsupported" in entry) {
    if (entry.unsupported === "refuse") {
      throw new ConfigError(`${ctx.where}: ${ctx.key} is not supported yet and Vireo will not start without it: ${entry.why}`, ctx.key);
    }
    ctx.warn(`${ctx.key} is not supported yet; ignored (${entry.why})`);
    return;
  }
  // A per-listener key before any block sets the default listener; its line names that listener.
  if (entry.scope === "listener" && ctx.listener === state.defaultListener) state.defaultListener.origin ??= ctx.where;
  entry.apply(value, ctx);
}

function includeDir(dir: string, ctx: ConfContext, state: ReadState): void {
  directory(dir, `${ctx.where}: include_dir`);
  const files = readdirSync(dir).filter((n) => n.length > 5 && n.endsWith(".conf")).sort(mosquittoOrder).map((n) => join(dir, n));
  for (const file of files) {
    if (resolve(file) === state.mainPath) throw new ConfigError(`${ctx.where}: include_dir must not contain the main config file (${file})`, "include_dir");
    readFile(file, ctx.level + 1, state);
  }
}

/** Mosquitto's include_dir order: case-insensitive first, then upper case before lower case. */
export function mosquittoOrder(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const d = a[i].toUpperCase().charCodeAt(0) - b[i].toUpperCase().charCodeAt(0) || a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Turns the listener drafts and noted values into Config settings. */
function finish(state: ReadState): Partial<Config> {
  const config = state.config;
  const d = state.defaultListener;
  const drafts = opensDefault(d) ? [...state.listeners, d] : state.listeners; // conf.c appends it last
  if (drafts.length === 0) {
    config.host = "127.0.0.1"; // Mosquitto 2 without listeners: local connections only
  } else if (drafts.length === 1 && drafts[0] === d && isPlain(d)) {
    if (d.port !== undefined) config.port = d.port; // plain host:port, so -p / --host still apply
    if (d.host !== undefined) config.host = d.host;
  } else {
    config.listeners = drafts.map(toListener);
    checkListeners(config.listeners);
  }
  finishAnonymous(state, drafts);
  broaden(state, drafts, "maxQos", "maximumQoS", "max_qos");
  broaden(state, drafts, "maxTopicAlias", "topicAliasMaximum", "max_topic_alias");
  const limit = state.notes.get("message_size_limit");
  if (limit !== undefined) {
    // Vireo limits whole packets: the payload limit plus the largest PUBLISH header.
    const packet = Math.min(268_435_460, limit.value + 5 + 2 + (config.maxTopicLength ?? DEFAULT_CONFIG.maxTopicLength) + 2);
    config.maxPacketSize = Math.min(config.maxPacketSize ?? packet, packet);
    state.warnings.push(`${limit.where}: warning: message_size_limit ${limit.value} is applied as maxPacketSize ${config.maxPacketSize}: a bigger PUBLISH closes the connection rather than being dropped (prefer max_packet_size)`);
  }
  return config;
}

/**
 * Whether the default listener is opened: as conf.c, when `port` / `bind_address` or a
 * per-listener key gave it a value other than Mosquitto's default (so `protocol mqtt` or
 * `max_connections -1` alone keep a file local-only, as in Mosquitto).
 */
function opensDefault(d: ListenerDraft): boolean {
  return d.used || d.protocol !== "mqtt" || (d.maxConnections ?? 0) > 0 || (d.maxQos !== undefined && d.maxQos !== 2) || asksTls(d);
}

/** Whether any TLS key was given a value that asks for something (false asks for nothing). */
function asksTls(l: ListenerDraft): boolean {
  return l.certfile !== undefined || TLS_FIELDS.some((f) => l[f] !== undefined && l[f] !== false);
}

/**
 * allow_anonymous as Mosquitto 2 reads it: false unless a file with listeners says true (a file
 * without listeners is local-only and lets anonymous clients in). With per_listener_settings each
 * listener has its own; Vireo keeps one policy for the broker, so they must agree.
 */
function finishAnonymous(state: ReadState, drafts: ListenerDraft[]): void {
  const config = state.config;
  if (state.notes.get("per_listener_settings")?.value === 1) {
    if (drafts.length === 0) return;
    const allow = drafts.map((l) => l.allowAnonymous === true);
    const differs = drafts.find((l) => (l.allowAnonymous === true) !== allow[0]);
    if (differs !== undefined) {
      throw new ConfigError(`${differs.origin ?? state.mainPath}: allow_anonymous differs between listeners; Vireo applies one access policy to the whole broker`, "allow_anonymous");
    }
    config.allowAnonymous = allow[0];
  } else {
    const note = state.notes.get("allow_anonymous");
    if (note !== undefined) config.allowAnonymous = note.value === 1;
    else if (drafts.length > 0) config.allowAnonymous = false; // Mosquitto 2's default once a listener is defined
  }
  if (config.allowAnonymous === false && config.passwordFile === undefined) {
    state.warnings.push(`${drafts[0]?.origin ?? state.mainPath}: warning: anonymous clients are refused (allow_anonymous false${state.notes.has("allow_anonymous") ? "" : " by default once a listener is defined"}) and there is no password_file: every client will be refused, as in Mosquitto 2`);
  }
}

/** A listener Config.host / Config.port can express (max_qos, max_topic_alias are broker-wide anyway). */
function isPlain(l: ListenerDraft): boolean {
  return l.protocol === "mqtt" && l.maxConnections === undefined && !asksTls(l);
}

/** A per-listener Mosquitto limit becomes Vireo's broker-wide one: the lowest value given. */
function broaden(state: ReadState, drafts: ListenerDraft[], field: "maxQos" | "maxTopicAlias", key: "maximumQoS" | "topicAliasMaximum", name: string): void {
  // The default listener's value counts even when it is not opened (Mosquitto drops it; lower is safer).
  const d = state.defaultListener;
  const given = (drafts.includes(d) ? drafts : [...drafts, d]).filter((l) => l[field] !== undefined);
  if (given.length === 0) return;
  const lowest = Math.min(...given.map((l) => l[field]!));
  const where = given[0].lines[field] ?? given[0].origin ?? state.mainPath;
  setGlobal({ where, key: name, config: state.config }, key, lowest as Config[typeof key]);
  if (drafts.some((l) => l[field] === undefined) || given.some((l) => l[field] !== lowest)) {
    state.warnings.push(`${where}: warning: ${name} applies to every listener in Vireo; using the lowest value given, ${lowest}`);
  }
}

const TLS_FIELDS = ["keyfile", "cafile", "capath", "requireCertificate", "useIdentityAsUsername", "tlsVersion"] as const;
/** The mosquitto.conf spelling of each TLS field, for messages. */
const TLS_KEY: Record<(typeof TLS_FIELDS)[number], string> = {
  keyfile: "keyfile", cafile: "cafile", capath: "capath", requireCertificate: "require_certificate",
  useIdentityAsUsername: "use_identity_as_username", tlsVersion: "tls_version",
};

function toListener(l: ListenerDraft): ListenerConfig {
  const origin = l.origin ?? "default listener";
  const out: ListenerConfig = { port: l.port ?? 1883, host: l.host ?? "0.0.0.0", protocol: "mqtt", origin };
  if (l.maxConnections) out.maxConnections = l.maxConnections;
  if (l.certfile === undefined) {
    // Never open a plain listener where the file asked for TLS.
    const stray = TLS_FIELDS.find((f) => l[f] !== undefined && l[f] !== false);
    if (stray !== undefined) throw new ConfigError(`${l.lines[stray]}: ${TLS_KEY[stray]} needs certfile and keyfile in the same listener (${origin}); without them the listener would not be TLS`, TLS_KEY[stray]);
    out.protocol = l.protocol === "websockets" ? "ws" : l.protocol;
    return out;
  }
  if (l.protocol === "http") throw new ConfigError(`${l.lines.certfile}: certfile: protocol http listeners do not take TLS in Vireo`, "certfile");
  if (l.keyfile === undefined) throw new ConfigError(`${l.lines.certfile}: certfile needs keyfile in the same listener (${origin})`, "keyfile");
  out.protocol = l.protocol === "websockets" ? "wss" : "mqtts";
  out.tls = toTls(l);
  return out;
}

function toTls(l: ListenerDraft): ListenerTls {
  readable(l.certfile!, `${l.lines.certfile}: certfile`);
  readable(l.keyfile!, `${l.lines.keyfile}: keyfile`);
  const tls: ListenerTls = { certfile: l.certfile!, keyfile: l.keyfile! };
  if (l.cafile !== undefined) readable((tls.cafile = l.cafile), `${l.lines.cafile}: cafile`);
  if (l.capath !== undefined) directory((tls.capath = l.capath), `${l.lines.capath}: capath`);
  if (l.requireCertificate !== undefined) tls.requireCertificate = l.requireCertificate;
  if (l.useIdentityAsUsername !== undefined) tls.useIdentityAsUsername = l.useIdentityAsUsername;
  if (l.tlsVersion !== undefined) tls.tlsVersion = l.tlsVersion;
  if (l.requireCertificate && l.cafile === undefined && l.capath === undefined) {
    throw new ConfigError(`${l.lines.requireCertificate}: require_certificate needs a cafile or capath to check client certificates against`, "require_certificate");
  }
  return tls;
}
