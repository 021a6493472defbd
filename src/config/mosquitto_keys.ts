/**
 * THE table of mosquitto.conf keys: one entry per key Vireo knows, and nothing about a key lives
 * anywhere else. An entry is one of
 *
 *   { scope: "global",   apply(value, ctx) }  a broker-wide setting; valid anywhere in the file
 *   { scope: "listener", apply(value, ctx) }  belongs to the current listener block (ctx.listener:
 *                                             the default listener until a `listener` line)
 *   { unsupported: "warn",   why }            ignoring it is harmless: one warning FILE:LINE
 *   { unsupported: "refuse", why }            ignoring it would weaken security or lose data:
 *                                             ConfigError FILE:LINE, exit 2
 *
 * `value` is the text after the key. apply() parses it with the helpers of mosquitto_context.ts
 * (bool, int, word, str: each throws a ConfigError naming FILE:LINE), then writes ctx.config
 * (through setGlobal, which applies the JSON syntax's own checks) or ctx.listener. A key whose
 * meaning depends on its value (allow_anonymous false, persistence true) refuses from apply().
 * A key missing here is unknown: ConfigError FILE:LINE. Adding a feature = replacing its
 * `unsupported` entry by an apply(); semantics follow Mosquitto's src/conf.c and mosquitto.conf(5).
 *
 * For those who add keys:
 * - A new Config field is set with setGlobal(ctx, "field", value); add it to Config (config.ts) and
 *   its rule (validate.ts) first, so both syntaxes share the check and the default.
 * - A per-listener value goes on ListenerDraft (mosquitto_context.ts) and into ListenerConfig in
 *   toListener() (mosquitto_conf.ts); record `ctx.listener.lines.field = ctx.where` so cross-key
 *   errors name the right line.
 * - Values several keys combine (allow_anonymous, per_listener_settings, message_size_limit) go to
 *   ctx.notes and are resolved in finish() (mosquitto_conf.ts). Auth: finishAnonymous() there gives
 *   a file with listeners but without `allow_anonymous true` allowAnonymous false, as Mosquitto 2.
 * - Tests: test/config/mosquitto_conf.test.ts has one case list per supported key (a test fails
 *   if a key has none); README's "Configure with mosquitto.conf" must list every key (tested).
 */
import { bool, type ConfContext, int, lineError, setGlobal, setListenerText, str, word } from "./mosquitto_context.ts";

/** How one key is handled. */
export type KeyEntry =
  | { scope: "global" | "listener"; apply(value: string, ctx: ConfContext): void }
  | { unsupported: "warn" | "refuse"; why: string };

const U16 = 65_535;
const I32 = 2_147_483_647;

/** An entry that accepts the value Vireo already behaves as, and refuses the other one. */
function onlyValue(scope: "global" | "listener", accepted: boolean, why: string): KeyEntry {
  return { scope, apply: (v, ctx) => { if (bool(v, ctx) !== accepted) throw lineError(ctx, `${!accepted} is not supported yet: ${why}`); } };
}

const warn = (why: string): KeyEntry => ({ unsupported: "warn", why });
const refuse = (why: string): KeyEntry => ({ unsupported: "refuse", why });

const AUTH = "authentication and access control are not implemented yet; starting without them would let every client in";
const BRIDGE = "bridges are not implemented yet; starting without it would not forward messages";
const LOG = "Vireo's log lines are set with log_type, log_dest and --log-format";

/** Mosquitto's duration syntax (persistent_client_expiration): N followed by h, d, w, m (30 d) or y (365 d). */
const DURATION_UNITS: Record<string, number> = { h: 3600, d: 86_400, w: 7 * 86_400, m: 30 * 86_400, y: 365 * 86_400 };

function durationSeconds(value: string, ctx: ConfContext): number {
  const m = /^(\d+)([hdwmy])$/.exec(word(value, ctx));
  if (m === null) throw lineError(ctx, `expected a duration such as 2h, 14d, 1w, 6m or 1y, got "${value}"`);
  return Math.min(Number(m[1]) * DURATION_UNITS[m[2]], 0xffff_ffff);
}

/** Every mosquitto.conf key Vireo knows, by name. */
export const KEYS: Readonly<Record<string, KeyEntry>> = {
  include_dir: {
    scope: "global",
    apply(v, ctx) {
      // As Mosquitto: only the main file may include (an included file's include_dir is skipped).
      if (ctx.level > 0) ctx.warn("include_dir is only read in the main config file (as Mosquitto does); ignored");
      else ctx.includeDir(str(v, ctx));
    },
  },

  // --- listeners -------------------------------------------------------------------------------
  listener: {
    scope: "global",
    apply(v, ctx) {
      const parts = v.trim().split(/[ \t]+/);
      const comment = parts.findIndex((p) => p.startsWith("#")); // a trailing comment, as conf.c allows
      if (comment >= 0) parts.length = comment;
      if (parts.length > 2) throw lineError(ctx, `expected PORT [ADDRESS], got ${JSON.stringify(v.trim())}`);
      const port = int(parts[0] ?? "", ctx, 0, U16);
      const host = parts[1] === "" ? undefined : parts[1];
      // Mosquitto reads port 0 + a path as a unix socket; Vireo reads port 0 + an address as "any free port".
      if (port === 0 && host === undefined) throw lineError(ctx, "port 0 needs an address (Vireo: any free port on it)");
      if (host?.includes("/")) throw lineError(ctx, "unix socket listeners are not supported");
      ctx.openListener(port, host);
    },
  },
  port: { scope: "global", apply(v, ctx) { const d = ctx.defaultListener; d.port = int(v, ctx, 1, U16); d.used = true; d.origin ??= ctx.where; } },
  bind_address: { scope: "global", apply(v, ctx) { const d = ctx.defaultListener; d.host = word(v, ctx); d.used = true; d.origin ??= ctx.where; } },
  protocol: {
    scope: "listener",
    apply(v, ctx) {
      const p = word(v, ctx);
      if (p !== "mqtt" && p !== "websockets" && p !== "http") throw lineError(ctx, `expected mqtt, websockets or http, got ${JSON.stringify(p)}`);
      ctx.listener.protocol = p;
    },
  },
  max_connections: {
    scope: "listener",
    apply(v, ctx) {
      const n = int(v, ctx, -I32, I32);
      if (n === 0) throw lineError(ctx, "0 would refuse every client (use -1 for no limit)");
      ctx.listener.maxConnections = n < 0 ? 0 : n; // Mosquitto: negative = unlimited
    },
  },
  max_qos: { scope: "listener", apply(v, ctx) { ctx.listener.maxQos = int(v, ctx, 0, 2) as 0 | 1 | 2; ctx.listener.lines.maxQos = ctx.where; } },
  maximum_qos: { scope: "listener", apply(v, ctx) { ctx.listener.maxQos = int(v, ctx, 0, 2) as 0 | 1 | 2; ctx.listener.lines.maxQos = ctx.where; } },
  max_topic_alias: { scope: "listener", apply(v, ctx) { ctx.listener.maxTopicAlias = int(v, ctx, 0, U16); ctx.listener.lines.maxTopicAlias = ctx.where; } },
  use_username_as_clientid: onlyValue("listener", false, "it stops one client taking over another's client id"),
  socket_domain: refuse("restricting a listener to IPv4 or IPv6 is not supported; give the listener an IPv4 or IPv6 address instead"),
  bind_interface: refuse("binding to an interface is not supported; give the listener that interface's address instead"),
  mount_point: refuse("mount points isolate clients; not implemented yet"),
  http_dir: warn("Vireo does not serve static files over HTTP"),
  websockets_log_level: warn(LOG),
  websockets_headers_size: warn("the runtime's HTTP server sizes its own header buffer"),

  // --- TLS (per listener: certfile + keyfile make mqtt → mqtts and websockets → wss) --------------
  certfile: { scope: "listener", apply: (v, ctx) => setListenerText(ctx, "certfile", v) },
  keyfile: { scope: "listener", apply: (v, ctx) => setListenerText(ctx, "keyfile", v) },
  cafile: { scope: "listener", apply: (v, ctx) => setListenerText(ctx, "cafile", v) },
  capath: { scope: "listener", apply: (v, ctx) => setListenerText(ctx, "capath", v) },
  require_certificate: { scope: "listener", apply(v, ctx) { ctx.listener.requireCertificate = bool(v, ctx); ctx.listener.lines.requireCertificate = ctx.where; } },
  use_identity_as_username: { scope: "listener", apply(v, ctx) { ctx.listener.useIdentityAsUsername = bool(v, ctx); ctx.listener.lines.useIdentityAsUsername = ctx.where; } },
  tls_version: {
    scope: "listener",
    apply(v, ctx) {
      const t = word(v, ctx);
      if (t !== "tlsv1.3" && t !== "tlsv1.2" && t !== "tlsv1.1") throw lineError(ctx, `expected tlsv1.3, tlsv1.2 or tlsv1.1, got ${JSON.stringify(t)}`);
      if (t === "tlsv1.1") ctx.warn("tlsv1.1: Vireo accepts TLS 1.2 and 1.3 only; using tlsv1.2 as the minimum");
      ctx.listener.tlsVersion = t === "tlsv1.3" ? "tlsv1.3" : "tlsv1.2";
      ctx.listener.lines.tlsVersion = ctx.where;
    },
  },
  use_subject_as_username: onlyValue("listener", false, AUTH),
  tls_keyform: { scope: "listener", apply(v, ctx) { if (word(v, ctx) !== "pem") throw lineError(ctx, "only pem key files are supported (no TLS engines)"); } },
  ciphers: refuse("choosing TLS 1.2 ciphers is not supported; the runtime's defaults would allow ciphers this file excludes"),
  "ciphers_tls1.3": refuse("choosing TLS 1.3 cipher suites is not supported; the runtime's defaults would allow suites this file excludes"),
  crlfile: refuse("certificate revocation lists are not supported; revoked client certificates would be accepted"),
  dhparamfile: warn("the runtime's TLS uses ECDHE key exchange, which gives forward secrecy without DH parameters"),
  tls_engine: refuse("TLS engines are not supported"),
  tls_engine_kpass_sha1: refuse("TLS engines are not supported"),
  psk_hint: refuse("TLS-PSK is not supported"),
  psk_file: refuse("TLS-PSK is not supported"),

  // --- limits and features that map onto Config ----------------------------------------------------
  allow_zero_length_clientid: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "allowZeroLengthClientId", bool(v, ctx)) },
  max_inflight_messages: {
    scope: "global",
    apply(v, ctx) {
      const n = int(v, ctx, -I32, U16);
      setGlobal(ctx, "maxInflight", n <= 0 ? U16 : n); // Mosquitto: 0 (or 65535) = no maximum
    },
  },
  max_keepalive: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "maxKeepAlive", int(v, ctx, 0, U16)) },
  max_packet_size: {
    scope: "global",
    apply(v, ctx) {
      const n = int(v, ctx, 0, 268_435_460);
      if (n > 0 && n < 20) throw lineError(ctx, `must be at least 20 (or 0 for no limit), got ${n}`); // as Mosquitto
      setGlobal(ctx, "maxPacketSize", n === 0 ? 268_435_460 : n); // 0 = no limit (the stock mosquitto.conf's default)
    },
  },
  max_queued_messages: {
    scope: "global",
    apply(v, ctx) {
      const n = int(v, ctx, -I32, Number.MAX_SAFE_INTEGER);
      setGlobal(ctx, "maxQueuedMessages", n <= 0 ? Number.MAX_SAFE_INTEGER : n); // Mosquitto: 0 = no maximum
    },
  },
  message_size_limit: {
    scope: "global",
    apply(v, ctx) {
      const n = int(v, ctx, 0, 268_435_455); // 0 = no limit
      // Becomes maxPacketSize at the end, once maxTopicLength is known (mosquitto_conf.ts).
      if (n > 0) ctx.notes.set("message_size_limit", { value: n, where: ctx.where });
      else ctx.notes.delete("message_size_limit");
    },
  },
  retain_available: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "retainAvailable", bool(v, ctx)) },
  allow_anonymous: {
    scope: "global",
    apply(v, ctx) {
      // Resolved in mosquitto_conf.ts (finishAnonymous): per listener with per_listener_settings.
      const allow = bool(v, ctx);
      if (ctx.notes.get("per_listener_settings")?.value) ctx.listener.allowAnonymous = allow;
      else ctx.notes.set("allow_anonymous", { value: allow ? 1 : 0, where: ctx.where });
    },
  },
  // Mosquitto's own files, read unchanged (src/auth/). With per_listener_settings they belong to a
  // listener in Mosquitto; this build serves one listener, so they are the broker's.
  password_file: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "passwordFile", str(v, ctx)) },
  acl_file: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "aclFile", str(v, ctx)) },
  // Persistence (README "Durability"). Vireo commits every event-loop tick, so autosave_* have nothing to tune.
  persistence: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "persistence", bool(v, ctx)) },
  persistence_location: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "persistenceLocation", str(v, ctx)) },
  persistence_file: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "persistenceFile", str(v, ctx)) },
  autosave_interval: { scope: "global", apply: (v, ctx) => void int(v, ctx, 0, Number.MAX_SAFE_INTEGER) },
  autosave_on_changes: { scope: "global", apply: (v, ctx) => void bool(v, ctx) },
  retained_persistence: onlyValue("global", true, "retained messages are stored whenever persistence is on"),
  persistent_client_expiration: {
    scope: "global",
    apply: (v, ctx) => setGlobal(ctx, "persistentClientExpiration", durationSeconds(v, ctx)),
  },
  max_queued_bytes: {
    scope: "global",
    apply: (v, ctx) => setGlobal(ctx, "maxQueuedBytes", Math.max(0, int(v, ctx, -I32, Number.MAX_SAFE_INTEGER))), // 0 = no maximum
  },
  // Vireo's own keys (not in Mosquitto): the other bounds and the sync mode.
  max_persistent_sessions: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "maxPersistentSessions", int(v, ctx, 0, Number.MAX_SAFE_INTEGER)) },
  persistence_sync: {
    scope: "global",
    apply(v, ctx) {
      const mode = word(v, ctx);
      if (mode !== "normal" && mode !== "full") throw lineError(ctx, `expected normal or full, got "${mode}"`);
      setGlobal(ctx, "persistenceSync", mode);
    },
  },
  queue_qos0_messages: onlyValue("global", false, "QoS 0 messages for offline clients would be dropped"),
  upgrade_outgoing_qos: onlyValue("global", false, "messages would be delivered at their published QoS, with less assurance than this file asks"),
  per_listener_settings: {
    scope: "global",
    apply(v, ctx) {
      // allow_anonymous is per listener in Vireo's reading (one policy in the end); password_file and
      // acl_file are taken as the broker's; the other keys it affects are refused.
      ctx.notes.set("per_listener_settings", { value: bool(v, ctx) ? 1 : 0, where: ctx.where });
    },
  },

  // --- operations: $SYS, logs (src/ops/, src/log/) ---------------------------------------------------
  sys_interval: { scope: "global", apply: (v, ctx) => setGlobal(ctx, "sysInterval", int(v, ctx, 0, 86_400)) },
  log_type: {
    scope: "global",
    // Repeatable: the first line replaces the default list, later ones add to it (as conf.c does).
    apply: (v, ctx) => setGlobal(ctx, "logType", [...(ctx.config.logType ?? []), word(v, ctx)]),
  },
  log_dest: {
    scope: "global",
    apply(v, ctx) {
      const [kind, ...rest] = str(v, ctx).split(/[ \t]+/);
      if (kind === "syslog" || kind === "topic" || kind === "dlt") {
        return ctx.warn(`log_dest ${kind} is not supported; ignored (Vireo writes to stderr, stdout, a file or none)`);
      }
      if (kind === "file" && rest.length === 0) throw lineError(ctx, "file needs a path");
      const dest = kind === "file" ? `file ${str(v, ctx).slice(4).trim()}` : word(v, ctx);
      setGlobal(ctx, "logDest", [...(ctx.config.logDest ?? []), dest]);
    },
  },

  // --- not implemented: refused (security or data) -----------------------------------------------
  auth_plugin: refuse(AUTH),
  plugin: refuse(AUTH),
  auth_plugin_deny_special_chars: refuse(AUTH),
  clientid_prefixes: refuse("restricting client ids by prefix is not implemented; every client id would be let in"),

  // --- not implemented: warned (harmless) ---------------------------------------------------------
  log_facility: warn(LOG),
  log_timestamp: warn(LOG),
  log_timestamp_format: warn(LOG),
  connection_messages: warn(LOG),
  pid_file: warn("Vireo writes no pid file"),
  user: warn("Vireo does not change user; run it as the user it should run as"),
  auto_id_prefix: warn("assigned client ids have Vireo's own prefix"),
  check_retain_source: warn("retained messages are checked against the reader's access only"),
  allow_duplicate_messages: warn("deprecated in Mosquitto"),
  retry_interval: warn("removed from Mosquitto; MQTT retries on reconnection"),
  set_tcp_nodelay: warn("Vireo's sockets always disable Nagle's algorithm"),
  max_inflight_bytes: warn("the inflight window is bounded by count (max_inflight_messages) and maxBufferedBytes"),
  memory_limit: warn("Vireo has no heap limit of its own; queues are bounded by max_queued_messages, max_queued_bytes and maxBufferedBytes"),

  // --- bridges (the block a `connection` line opens): refused until bridges exist --------------------
  ...Object.fromEntries(bridgeKeys().map((key) => [key, refuse(BRIDGE)])),
};

function bridgeKeys(): string[] {
  return [
  "connection", "address", "addresses", "bridge_alpn", "bridge_attempt_unsubscribe", "bridge_bind_address", "bridge_cafile",
  "bridge_capath", "bridge_certfile", "bridge_identity", "bridge_insecure", "bridge_keyfile", "bridge_max_packet_size",
  "bridge_outgoing_retain", "bridge_protocol_version", "bridge_psk", "bridge_require_ocsp", "bridge_tls_version", "cleansession",
  "clientid", "idle_timeout", "keepalive_interval", "local_cleansession", "local_clientid", "local_password", "local_username",
  "notification_topic", "notifications", "notifications_local_only", "password", "remote_clientid", "remote_password",
  "remote_username", "restart_timeout", "round_robin", "start_type", "threshold", "topic", "try_private", "username",
  ];
}

/** Key prefixes that name plugin options (auth_opt_*, plugin_opt_*): refused with the plugin. */
export const PREFIX_KEYS: readonly [string, KeyEntry][] = [["auth_opt_", refuse(AUTH)], ["plugin_opt_", refuse(AUTH)]];

/** The entry for `key`, or undefined when Vireo does not know it. */
export function lookupKey(key: string): KeyEntry | undefined {
  if (Object.prototype.hasOwnProperty.call(KEYS, key)) return KEYS[key];
  return PREFIX_KEYS.find(([prefix]) => key.startsWith(prefix))?.[1];
}
