/**
 * The broker's one typed configuration: every tunable with its default and why, loaded from a
 * JSON file (loadConfig) and overridden by command-line flags (cli.ts). Enforcement of each limit
 * lives in the broker core; this module only guarantees the values are present and well-typed.
 */
import type { ListenerConfig } from "./listener_config.ts";
import { ConfigError, readConfigText, validateConfig } from "./validate.ts";

export { ConfigError } from "./validate.ts";

/** Every broker setting. Loaded configs are always complete (defaults fill the gaps). */
export interface Config {
  /**
   * Interface to bind. Default "" = chosen by the access policy, as Mosquitto 2.0 does: with no
   * authentication configured (no passwordFile, no authenticate hook) only 127.0.0.1, else
   * "0.0.0.0" (all IPv4 interfaces). An explicit host is used as given.
   */
  host: string;
  /** TCP port. Default 1883 (IANA "mqtt"); 0 picks a free port (tests). */
  port: number;
  /**
   * Listeners (mqtt, mqtts, ws, wss, http), each with its own port, address and TLS files.
   * Default empty, meaning one plain `mqtt` listener on host:port, so `-p` / `--host` keep
   * meaning one TCP listener. Read it through effectiveListeners().
   */
  listeners: ListenerConfig[];
  /**
   * Largest packet accepted, in bytes, fixed header included; sent as Maximum Packet Size in v5
   * CONNACK when below the protocol limit. Default 268435460 (the protocol maximum: 268435455
   * remaining length + 5 header bytes), i.e. no extra limit.
   */
  maxPacketSize: number;
  /**
   * Outbound QoS 1/2 messages in flight per client before further deliveries queue (and before
   * owed retained messages wait). The client's own Receive Maximum (v5) lowers it further; it is
   * the whole window for 3.1.1 clients. Default 1000: with 100 a new `#` subscriber to 100,000
   * retained QoS 1 messages waits on an ack round trip every 100 messages and takes about 1.6×
   * as long; a slow subscriber still pins at most this many unacknowledged references plus
   * maxQueuedMessages.
   */
  maxInflight: number;
  /**
   * Receive Maximum the server advertises in v5 CONNACK: inbound QoS 1/2 PUBLISHes a client may
   * have unacknowledged. Default 65535 (the protocol maximum; the property is then omitted).
   */
  receiveMaximum: number;
  /**
   * Messages queued per session (offline, or online beyond the inflight window) before new QoS 1/2
   * messages are dropped. Default 1000. 0 queues nothing.
   */
  maxQueuedMessages: number;
  /**
   * Retained messages a session may still owe its new subscriptions (a backlog of references to
   * the stored messages, sent as the inflight window and the socket allow; not counted in
   * maxQueuedMessages). What a SUBSCRIBE matches beyond it is dropped, counted and logged.
   * Default 1000000: a `#` subscription to a million retained topics is served whole, and a
   * session's backlog stays within about 8 MB of references.
   */
  maxRetainedBacklog: number;
  /**
   * Cap on a client's keep-alive in seconds; a v5 client asking for more (or for 0) gets this as
   * Server Keep Alive. Default 0 = no cap (honour what the client asks).
   */
  maxKeepAlive: number;
  /** Largest Session Expiry Interval granted, in seconds. Default 0xFFFFFFFF (never expires). */
  sessionExpiryMaximum: number;
  /** Topic Alias Maximum advertised to v5 clients (aliases they may use towards us). Default 10. */
  topicAliasMaximum: number;
  /**
   * Topic aliases the broker assigns towards a v5 client that announced a Topic Alias Maximum
   * (never more than the client's own maximum): the first N distinct topics a connection receives
   * are then sent as 2-byte aliases after their first use. Default 32; 0 turns outbound aliases off.
   */
  outboundTopicAliasMaximum: number;
  /** Longest topic name or filter in bytes. Default 65535 (the protocol maximum). */
  maxTopicLength: number;
  /** Concurrent connections accepted; further ones are closed at once. Default 0 = unlimited. */
  maxConnections: number;
  /** Longest client identifier in bytes. Default 65535; never below 23 [MQTT-3.1.3-5]. */
  maxClientIdLength: number;
  /** Whether an empty client id gets a server-assigned one [MQTT-3.1.3-6]. Default true. */
  allowZeroLengthClientId: boolean;
  /** Retained messages supported (v5 Retain Available). Default true. */
  retainAvailable: boolean;
  /** Wildcard filters supported (v5 Wildcard Subscription Available). Default true. */
  wildcardSubscriptionAvailable: boolean;
  /** $share/ filters supported (v5 Shared Subscription Available). Default true. */
  sharedSubscriptionAvailable: boolean;
  /** Subscription identifiers supported (v5 Subscription Identifiers Available). Default true. */
  subscriptionIdentifierAvailable: boolean;
  /** Highest QoS the server supports (v5 Maximum QoS; 3.1.1 grants are capped to it). Default 2. */
  maximumQoS: 0 | 1 | 2;
  /**
   * Milliseconds a new connection may take to send CONNECT before it is closed. Default 10000:
   * long enough for slow links, short enough that idle sockets cannot pile up. 0 = no limit.
   */
  connectTimeoutMs: number;
  /**
   * Outgoing bytes a connection may have queued (transport bufferedAmount) before the broker
   * treats it as a slow consumer. Default 16 MiB. 0 = unlimited.
   */
  maxBufferedBytes: number;
  /** Period of the single timer tick (keep-alive, will delay, expiry) in ms. Default 100. */
  keepAliveTickMs: number;
  /**
   * Messages the CLI (src/main.ts) sends itself over a private loopback listener before it opens its port,
   * so the JIT has compiled the hot path before real clients arrive (see broker/warmup.ts).
   * Default 500000 (about 0.7 s here, retained phase included); 0 disables. The library's Broker does it only when
   * `warmUp()` is called.
   */
  warmupMessages: number;
  /**
   * Nice value the CLI gives the runtime's helper threads (JIT compilers, GC helpers) once warmed
   * up, so they yield the core to the event loop (see platform/thread_priority.ts). Default 19;
   * 0 leaves them alone; no effect off Linux or without FFI permission.
   */
  runtimeThreadsNice: number;
  /**
   * Keep retained messages and persistent sessions (with their subscriptions) in a SQLite file in
   * persistenceLocation, committed every event-loop tick before the acks that promise them (see
   * README "Durability"). Default false for the library (`new Broker()` stays in memory); the CLI
   * turns it on unless given --memory.
   */
  persistence: boolean;
  /** Data directory (created if missing; one broker per directory, locked). Default "data". */
  persistenceLocation: string;
  /** Database file name inside persistenceLocation (or an absolute path). Default "vireo.db". */
  persistenceFile: string;
  /**
   * "normal" (default): a commit survives a process crash (SQLite WAL, synchronous=NORMAL);
   * "full": it also survives a power loss (fsync per commit, slower).
   */
  persistenceSync: "normal" | "full";
  /**
   * Seconds a session that asked never to expire (3.1.1 clean session 0, v5 Session Expiry
   * 0xFFFFFFFF) may stay disconnected before it is removed, as Mosquitto's
   * persistent_client_expiration. Default 0 = such sessions are kept until they reconnect clean.
   */
  persistentClientExpiration: number;
  /**
   * Sessions that outlive their connection (3.1.1 clean session 0, v5 Session Expiry > 0) the
   * broker keeps, connected or not. A CONNECT that would start one more is refused with CONNACK
   * 0x97 Quota exceeded (3.1.1: return code 3, server unavailable), counted and logged; resuming
   * or replacing an existing one is always allowed. Default 1000000. 0 = no limit.
   */
  maxPersistentSessions: number;
  /**
   * Bytes of messages (topic + properties + payload, once per queued delivery) all session queues
   * may hold together. At the limit, the session's oldest queued QoS 0 messages are dropped to make
   * room, and when there are none the new message is not queued for it; both counted
   * (droppedQueueBytes) and logged. Default 1 GiB. 0 = no limit.
   */
  maxQueuedBytes: number;
  /**
   * Milliseconds a connection the broker closes on purpose (refused CONNECT, DISCONNECT with a
   * reason, take-over, shutdown) stays half-closed after its last packet: the write side is shut
   * (FIN), input is discarded until the client closes or this passes. The client can then always
   * read why it was closed instead of seeing a reset. Lingering connections count toward
   * maxConnections. Default 2000; 0 closes right after the flush.
   */
  closeLingerMs: number;
  /** Log connections and protocol errors to stderr. Default false. */
  verbose: boolean;
  /**
   * Seconds between `$SYS/broker/...` updates (Mosquitto's `sys_interval`): each update publishes,
   * retained, only the values that changed. Default 10; 0 = no $SYS tree.
   */
  sysInterval: number;
  /**
   * "host:port" of an extra `http` listener the CLI opens for /metrics, the admin API and the
   * dashboard (e.g. "127.0.0.1:8080"; src/ops/cli_server.ts). Default "" = none.
   */
  httpListen: string;
  /**
   * Bearer token the operations API and dashboard require (`Authorization: Bearer TOKEN`, or
   * `?token=` on a GET, as the dashboard page does). Required for an `http` listener beyond
   * loopback; default "" = none (loopback only).
   */
  apiToken: string;
  /** Log line format: "text" (default) or "json" (one JSON object per line). */
  logFormat: "text" | "json";
  /**
   * Kinds of log lines written (Mosquitto's `log_type`): error, warning, notice, information,
   * debug, subscribe, unsubscribe, websockets, all, none. Default error, warning, information:
   * the one-line-per-connection lines are notice, written with -v or when listed here.
   */
  logType: string[];
  /** Where log lines go (Mosquitto's `log_dest`): "stderr" (default), "stdout", "file PATH", "none". */
  logDest: string[];
  /**
   * Mosquitto password file (`password_file`, made with `mosquitto_passwd` or `vireo passwd`):
   * clients giving a user name must give its password. Default "" = none.
   */
  passwordFile: string;
  /** Mosquitto ACL file (`acl_file`): what each client may publish and receive. Default "" = none. */
  aclFile: string;
  /**
   * Whether clients without a user name may connect (`allow_anonymous`). Default null = yes
   * while no passwordFile is configured, no once one is (an embedder's authenticate hook decides
   * for anonymous clients itself unless this is false).
   */
  allowAnonymous: boolean | null;
}

/** Defaults for every key; see the Config field docs for the reasoning. */
export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  host: "",
  port: 1883,
  listeners: Object.freeze([]) as unknown as ListenerConfig[], // frozen: shared by every merged config
  maxPacketSize: 268_435_460,
  maxInflight: 1000,
  receiveMaximum: 65_535,
  maxQueuedMessages: 1000,
  maxRetainedBacklog: 1_000_000,
  maxKeepAlive: 0,
  sessionExpiryMaximum: 0xffff_ffff,
  topicAliasMaximum: 10,
  outboundTopicAliasMaximum: 32,
  maxTopicLength: 65_535,
  maxConnections: 0,
  maxClientIdLength: 65_535,
  allowZeroLengthClientId: true,
  retainAvailable: true,
  wildcardSubscriptionAvailable: true,
  sharedSubscriptionAvailable: true,
  subscriptionIdentifierAvailable: true,
  maximumQoS: 2,
  connectTimeoutMs: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  keepAliveTickMs: 100,
  warmupMessages: 500_000,
  runtimeThreadsNice: 19,
  persistence: false,
  persistenceLocation: "data",
  persistenceFile: "vireo.db",
  persistenceSync: "normal",
  persistentClientExpiration: 0,
  maxPersistentSessions: 1_000_000,
  maxQueuedBytes: 1024 * 1024 * 1024,
  closeLingerMs: 2000,
  verbose: false,
  sysInterval: 10,
  httpListen: "",
  apiToken: "",
  logFormat: "text",
  logType: ["error", "warning", "information"],
  logDest: ["stderr"],
  passwordFile: "",
  aclFile: "",
  allowAnonymous: null,
});

/** A complete config from defaults plus validated overrides (later arguments win). */
export function mergeConfig(base: Readonly<Config>, ...overrides: Partial<Config>[]): Config {
  return Object.assign({}, base, ...overrides);
}

/**
 * The listeners the broker opens: config.listeners, or when that is empty the one plain MQTT
 * listener on config.host:config.port.
 */
export function effectiveListeners(config: Readonly<Config>): ListenerConfig[] {
  if (config.listeners.length > 0) return config.listeners.slice();
  return [{ host: config.host, port: config.port, protocol: "mqtt" }];
}

/**
 * Reads a JSON config file, validates every key (unknown keys and wrong types are errors, so a
 * typo never silently falls back to a default) and merges it over DEFAULT_CONFIG.
 * @throws ConfigError naming the file and, where applicable, the offending key.
 */
export function loadConfig(path: string): Config {
  return mergeConfig(DEFAULT_CONFIG, readConfigFile(path));
}

/** Reads and validates a config file without applying defaults. @throws ConfigError */
export function readConfigFile(path: string): Partial<Config> {
  const text = readConfigText(path, (why) => `config file ${path}: cannot read: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path}: invalid JSON: ${(err as Error).message}`);
  }
  return validateConfig(json, `config file ${path}`);
}
