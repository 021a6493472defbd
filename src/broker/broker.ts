/**
 * Vireo's MQTT broker: transport callbacks → WASM decoder → protocol handlers → sessions/router →
 * transport writes (one batched socket write per connection per tick).
 *
 * @example
 * const broker = new Broker({ port: 0 });
 * const { port } = await broker.listen();
 * // … mqtt://127.0.0.1:port …
 * await broker.close();
 */
import type { QoS } from "../protocol/packets.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import { type Message, StoredPublication } from "../session/message.ts";
import { createTransport, type Connection, type ConnectionHandlers, type Listener } from "../transport/index.ts";
import { type BoundListener, ListenerSet } from "../listeners/listener_set.ts";
import { effectiveListeners } from "../config/config.ts";
import type { ListenerConfig } from "../config/listener_config.ts";
import { Client, ClientState } from "./client.ts";
import { BrokerCore, type HeldPackets } from "./core.ts";
import { AccessControl } from "../auth/access_control.ts";
import { closeWith } from "./errors.ts";
import { endSession, publishWillNow } from "./lifecycle.ts";
import { type BrokerOptions, resolveOptions } from "./options.ts";
import type { BrokerStats } from "../session/stats.ts";
import { warmUp } from "./warmup.ts";
import { SysTree } from "../ops/sys_tree.ts";
import { startStorage, stopStorage } from "./restore.ts";
import { willGone } from "./durable.ts";
import { reloadAccess } from "./reload_access.ts";
import { ConnectionEvents } from "./connection_events.ts";

const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** An MQTT 3.1 / 3.1.1 / 5.0 broker. */
export class Broker {
  /** Shared state (sessions, index, counters); for embedders and tests. */
  readonly core: BrokerCore;
  private listeners: ListenerSet | null = null;
  /** The `$SYS` tree while listening with config.sysInterval > 0. */
  private sysTree: SysTree | null = null;
  private opening: Promise<void> | null = null;
  private readonly handlers: ConnectionHandlers;

  /** Creates a broker; nothing listens until listen(). */
  constructor(options?: BrokerOptions) {
    const core = (this.core = new BrokerCore(resolveOptions(options)));
    // Timer and transport callbacks are guarded: a bug must cost one client, never the process.
    const guard = <A extends unknown[]>(what: string, f: (...a: A) => void) => (...a: A): void => {
      try {
        f(...a);
      } catch (err) {
        core.opts.log(`internal error in ${what}: ${(err as Error).stack ?? err}`, { level: "error" });
      }
    };
    core.publishWill = guard("will", (will, origin, clientId) => {
      publishWillNow(core, will, origin);
      willGone(core, clientId);
    });
    const events = new ConnectionEvents(core, { maxPacketSize: core.opts.maxPacketSize });
    core.onKeepAliveTimeout = guard("keep-alive", (c: Client) => {
      if (c.state === ClientState.AwaitConnect || c.state === ClientState.Authenticating || c.state === ClientState.AwaitAuth) events.connectTimeout(c);
      else closeWith(core, c, ReasonCode.KeepAliveTimeout, true); // [MQTT-3.1.2-24]
    });
    core.onSessionExpired = guard("session expiry", (clientId: string) => {
      const s = core.sessions.get(clientId);
      if (s === undefined || s.link !== null) return;
      core.stats.sessionsExpired++;
      endSession(core, s);
    });
    core.resumeHeld = guard("authentication", (c: Client, held: HeldPackets) => events.resumeHeld(c, held));
    this.handlers = {
      onOpen: guard("open", (conn: Connection) => events.onOpen(conn)),
      onData: (conn, chunk) => events.onData(conn, chunk), // guarded inside: a throw drops only that client
      onClose: guard("close", (conn: Connection) => events.onClose(conn)),
      onDrain: guard("drain", (conn: Connection) => events.onDrain(conn)),
    };
  }

  /** Whether listen() succeeded and close() has not been called (the readiness probe). */
  get listening(): boolean {
    return this.listeners !== null;
  }

  /** Live counters (connections, messages, drops). */
  get stats(): BrokerStats {
    return this.core.stats;
  }

  /**
   * Publishes a message as the server (embedders): routed like a client's PUBLISH, stored if
   * `retain` (an empty payload then deletes the retained message). `durable: false` keeps a
   * retained value out of storage (the `$SYS` tree's, rebuilt at every start, as Mosquitto does
   * not persist `$SYS` either).
   * @throws RangeError for an invalid topic name.
   */
  publish(topic: string, payload: Uint8Array | string, options: { qos?: QoS; retain?: boolean; durable?: boolean } = {}): void {
    const core = this.core;
    if (!core.index.validTopicName(topic)) throw new RangeError(`invalid topic name: ${JSON.stringify(topic)}`);
    const msg: Message = {
      topic: utf8.encode(topic), props: EMPTY, payload: typeof payload === "string" ? utf8.encode(payload) : payload.slice(),
      qos: options.qos ?? 0, retain: options.retain ?? false, origin: -1,
    };
    if (msg.retain) core.retained.set(msg, options.durable ?? true);
    core.router.route(new StoredPublication(msg, () => core.clock.now()), msg.topic, 0, msg.topic.length);
  }

  /**
   * The address listen() binds: config.host, or when that is "" (the default) 127.0.0.1 while no
   * authentication is configured and 0.0.0.0 once it is (Mosquitto 2.0's rule).
   */
  get bindHost(): string {
    const opts = this.core.opts;
    if (opts.host !== "") return opts.host;
    return AccessControl.authConfigured(opts) ? "0.0.0.0" : "127.0.0.1";
  }

  /**
   * False while storage's last commit failed and is being retried (acknowledgements held until it
   * succeeds): the readiness probe reports it. Always true in memory mode.
   */
  get storageHealthy(): boolean {
    const j = this.core.journal;
    return j === null || !j.log.failing;
  }

  /** Whether clients without a user name may connect. */
  get allowsAnonymous(): boolean {
    return this.core.access === null || this.core.access.allowAnonymous;
  }

  /**
   * Re-reads the password and ACL files (SIGHUP). A file that fails keeps its previous rules;
   * the returned messages say which (empty = all reloaded). Every cached decision is dropped, and
   * clients whose password file entry was removed or changed are disconnected.
   */
  reload(): string[] {
    return reloadAccess(this.core);
  }

  /**
   * The listeners listen() opens: config.listeners, or one mqtt listener on config.host:config.port
   * with the host bindHost chooses when config.host is "".
   */
  get listenerConfigs(): ListenerConfig[] {
    return effectiveListeners(this.core.opts).map((l) => (l.host === "" ? { ...l, host: this.bindHost } : l));
  }

  /**
   * Opens storage and restores what it holds (retained messages, persistent sessions with their
   * subscriptions), applying deadlines that passed meanwhile. listen() calls it; call it first to
   * fail early (the CLI does, before its warm-up). Nothing happens in memory mode. Idempotent.
   * @throws StorageError naming the file or directory (corrupt, unreadable, held by another broker).
   */
  open(): Promise<void> {
    return (this.opening ??= startStorage(this.core));
  }

  /**
   * Opens every listener (config.listeners, or one mqtt listener on config.host:config.port; port
   * 0 picks a free one) and starts the timer tick. Resolves with the first listener's address and
   * every listener's.
   * @throws ListenerError naming the listener (or file) that could not be opened; none stays open.
   */
  async listen(): Promise<{ host: string; port: number; listeners: BoundListener[] }> {
    if (this.listeners !== null) throw new Error("Broker.listen: already listening");
    await this.open(); // restored before the first client can connect
    const opts = this.core.opts;
    // A cap on connections is also the most the descriptor table needs to hold (plus a few for
    // the listener and files); without one the transport's default applies.
    const reserveDescriptors = opts.maxConnections > 0 ? opts.maxConnections + 64 : undefined;
    this.listeners = await ListenerSet.open(this.listenerConfigs, {
      handlers: this.handlers, httpHandler: opts.httpHandler, maxMessageBytes: opts.maxPacketSize, reserveDescriptors,
      handshakeTimeoutMs: opts.connectTimeoutMs, lingerMs: opts.closeLingerMs,
    });
    this.core.ticker.start();
    this.startSysTree();
    const bound = this.listeners.bound;
    return { host: bound[0].host, port: bound[0].port, listeners: bound };
  }

  /**
   * Re-reads the certificate and key of every TLS listener (the CLI calls it on SIGHUP): new
   * handshakes use them, open connections stay up. Returns one message per listener that kept its
   * old material (unreadable file, key not matching), empty when all reloaded.
   */
  reloadTls(): Promise<string[]> {
    return this.listeners?.reloadTls() ?? Promise.resolve([]);
  }

  /** `$SYS` topics every config.sysInterval seconds (0 = none), on the broker's tick. */
  private startSysTree(): void {
    const core = this.core;
    if (core.opts.sysInterval <= 0) return;
    const sys = (this.sysTree = new SysTree(this, core.opts.sysInterval, () => core.clock.now()));
    sys.start();
    core.ticker.add(sys);
  }

  /**
   * Sends the broker `config.warmupMessages` messages of its own over loopback so the JIT compiles
   * the hot path before real clients arrive (src/broker/warmup.ts). It runs on a private listener
   * (127.0.0.1, a free port) closed afterwards, so call it before listen(): no client sees it and
   * the public port opens warm. Counters are restored. Bounded to a few seconds; never throws.
   */
  async warmUp(messages = this.core.opts.warmupMessages): Promise<void> {
    if (messages <= 0) return;
    let side: Listener;
    try {
      // Its own clients skip access control: a password file or ACL must not refuse the warm-up
      // (its paths would stay cold), and nothing else can reach this private listener.
      const onOpen = (conn: Connection): void => {
        this.handlers.onOpen(conn);
        if (conn.context !== undefined) this.core.trusted.add(conn.context as Client);
      };
      side = await createTransport().listen({ host: "127.0.0.1", port: 0 }, { ...this.handlers, onOpen });
    } catch {
      return; // no loopback listener: a cold start is all that is lost
    }
    const journal = this.core.journal;
    if (journal !== null) journal.muted = true; // its messages and topics are not the users'
    try {
      await warmUp(side.port, "127.0.0.1", this.core, messages);
    } finally {
      await side.close();
      if (journal !== null) journal.muted = false;
    }
    // Its garbage (packets, write buffers) is collected now, not under the first real clients.
    (globalThis as { Bun?: { gc?(sync: boolean): void } }).Bun?.gc?.(true);
  }

  /**
   * Shuts down: every connected client's will is published (as on any server-side close), v5
   * clients get DISCONNECT 0x8B, wills still waiting for their delay go out now, then the
   * listener closes after flushing. Resolves when every connection has closed.
   */
  async close(): Promise<void> {
    const core = this.core;
    core.ticker.stop();
    if (this.sysTree !== null) core.ticker.remove(this.sysTree);
    this.sysTree = null;
    const live: Client[] = [];
    for (const s of core.sessions.values()) if (s.link !== null) live.push(s.link as Client);
    // Wills first, while every other client is still attached to receive them.
    for (const c of live) {
      const s = c.session!;
      const will = s.will;
      s.will = null;
      if (will !== null && s.link === c) publishWillNow(core, will, s.sid);
    }
    core.wills.fireAll();
    for (const c of live) closeWith(core, c, ReasonCode.ServerShuttingDown, false);
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners !== null) await listeners.close();
    await stopStorage(core); // after the last detach recorded its session's deadline
  }
}
