/**
 * The broker's shared state: codec and topic index instances, sessions, router, timers, counters.
 * Protocol handlers are plain functions over (core, client, …) so each packet family sits in its
 * own file; this object is what they share.
 */
import { createCodecWasm } from "../wasm/codec_instance.ts";
import { createDecoderFactory } from "../wasm/decoder.ts";
import { createEncoder, type PacketEncoder } from "../wasm/encoder.ts";
import { createTopicIndex, type TopicIndex } from "../wasm/topic_index.ts";
import type { DecoderOptions, FrameBatch, StreamDecoder } from "../wasm/types.ts";
import { Clock, Ticker } from "../timers/clock.ts";
import { KeepAliveMonitor } from "../timers/keep_alive.ts";
import { TimerWheel } from "../timers/wheel.ts";
import { SessionRegistry } from "../session/registry.ts";
import type { Session, SessionContext } from "../session/session.ts";
import { Router } from "../router/router.ts";
import { RetainedStore } from "../router/retained.ts";
import { LivePublication } from "../router/live_publication.ts";
import type { Journal } from "../storage/journal.ts";
import { type PendingWillMessage, WillScheduler } from "../will/will.ts";
import { type BrokerStats, createStats } from "../session/stats.ts";
import type { ResolvedOptions } from "./options.ts";
import { type Client, ConnectionTerms } from "./client.ts";
import { AccessControl } from "../auth/access_control.ts";
import type { AuthExchange } from "./enhanced_auth.ts";

/** A client whose CONNECT is being authenticated: what arrived meanwhile, in order. */
export interface HeldPackets {
  /** Whole packets that came in the CONNECT's chunk after it (copies). */
  frames: Uint8Array[];
  /** A malformed packet among them (its reason code; 0 = none): the client fails after replay. */
  failReason: number;
  /** Later socket chunks (copies), not yet decoded. */
  chunks: Uint8Array[];
}

/**
 * Sees one PUBLISH topic in `every` (the operations side's busiest-topics estimate). The hot path
 * only decrements `countdown`; with no sampler installed it tests one field for null.
 */
export interface PublishSampler {
  countdown: number;
  /** Called when countdown reaches 0 with the topic's bytes; resets countdown. */
  sample(topic: Uint8Array, off: number, len: number): void;
}

/** Everything the protocol handlers share. */
export class BrokerCore {
  readonly stats: BrokerStats = createStats();
  readonly clock: Clock;
  readonly ticker: Ticker;
  readonly decoders: (options?: DecoderOptions) => StreamDecoder;
  readonly encoder: PacketEncoder;
  readonly index: TopicIndex;
  readonly sessions: SessionRegistry;
  /** What every session reports to (its outbox is set when storage opens). */
  readonly sessionContext: SessionContext;
  readonly router: Router;
  readonly retained: RetainedStore;
  readonly live: LivePublication;
  readonly wills: WillScheduler;
  /** Session expiry of disconnected sessions, keyed by client id. */
  readonly expiry: TimerWheel<string>;
  /** Keep-alive of connected clients and the CONNECT deadline of new ones (a client is its own node). */
  readonly keepAlive: KeepAliveMonitor<Client>;
  /** The storage journal when persistence is on (Broker.open), else null: memory mode costs one null check. */
  journal: Journal | null = null;
  /** Sessions with deliveries queued behind a congested socket, retried every tick. */
  readonly drainPending = new Set<Session>();
  /**
   * Connection id → client, for connections that have not completed CONNECT yet. A connected client
   * is reached through its session (session.link) and counted in stats.clients, so the many idle
   * clients of a fleet cost no entry here.
   */
  readonly clients = new Map<number, Client>();
  /**
   * The access policy (password file, ACL file, anonymous policy, auth hooks), or null when
   * nothing is checked: then no packet pays anything for access control.
   */
  readonly access: AccessControl | null;
  /** Clients whose CONNECT is being authenticated (ClientState.Authenticating). */
  readonly authenticating = new Map<Client, HeldPackets>();
  /** Connections of the broker's own warm-up: not subject to access control. */
  readonly trusted = new WeakSet<Client>();
  /** MQTT 5 enhanced authentication exchanges in progress (CONNECT or re-authentication). */
  readonly enhancedAuth = new Map<Client, AuthExchange>();
  /** Set by the broker: the verdict came; run what the client sent meanwhile. */
  resumeHeld: (client: Client, held: HeldPackets) => void = () => {};
  /**
   * Connected clients whose user name the password file verified (a password or SCRAM), by user
   * name: a reload that removes or changes that user's entry disconnects them (reload_access.ts).
   */
  readonly passwordLogins = new Map<Client, string>();
  /** Connections the broker has ended and that have not closed yet (flushing, then lingering). */
  readonly ending = new Set<Client>();
  /** The terms every MQTT 3.1 (level 3) connection shares: nothing in its CONNECT changes the limits. */
  readonly terms31: ConnectionTerms;
  /** The same for MQTT 3.1.1 (level 4). */
  readonly terms311: ConnectionTerms;
  /** Terms of a connection still owing its CONNECT: only the buffer limit and the counters matter. */
  readonly termsAwaitConnect: ConnectionTerms;
  /**
   * Set by the broker: closes a client whose keep-alive expired (or that sent no CONNECT in time),
   * ends a disconnected session.
   */
  onKeepAliveTimeout: (client: Client) => void = () => {};
  onSessionExpired: (clientId: string) => void = () => {};
  /**
   * The inbound packet being handled (frame `frame` of `batch`): what a protocol-error log line
   * names as its trigger. Two plain stores per packet, read only when such a line is written.
   */
  batch: FrameBatch | null = null;
  frame = 0;
  /** Installed by the operations side while a dashboard may ask for the busiest topics. */
  topicSampler: PublishSampler | null = null;
  /** Set by the broker: publishes a will. */
  publishWill: (will: PendingWillMessage, origin: number, clientId: string) => void = () => {};

  /** @throws ConfigError when a password or ACL file cannot be read or parsed. */
  constructor(readonly opts: ResolvedOptions) {
    this.access = AccessControl.load(opts);
    this.clock = new Clock(opts.now);
    const now = () => this.clock.now();
    const tickMs = opts.keepAliveTickMs;
    this.ticker = new Ticker({ tickMs, clock: this.clock });
    const wasm = createCodecWasm();
    this.decoders = createDecoderFactory(wasm);
    this.encoder = createEncoder(wasm);
    this.index = createTopicIndex();
    this.sessionContext = {
      stats: this.stats, maxQueuedMessages: opts.maxQueuedMessages, log: opts.log, now,
      wantDrain: (s) => this.drainPending.add(s), outbox: null,
      queueBytes: { used: 0, limit: opts.maxQueuedBytes, stats: this.stats },
    };
    this.sessions = new SessionRegistry(this.sessionContext);
    this.sessions.gated = this.access !== null && this.access.gatesTopics;
    this.router = new Router(this.index, this.sessions);
    this.retained = new RetainedStore(this.index, this.stats);
    this.live = new LivePublication(this.encoder, now);
    const fresh = () => this.clock.refresh(); // for deadlines: the cached time may lag a tick
    this.wills = new WillScheduler({ now: fresh, tickMs, publish: (w, o, id) => this.publishWill(w, o, id) });
    this.expiry = new TimerWheel<string>({ tickMs, now, onExpire: (id) => this.onSessionExpired(id) });
    this.keepAlive = new KeepAliveMonitor<Client>({ now, tickMs, onTimeout: (c) => this.onKeepAliveTimeout(c) });
    const inflight = Math.min(opts.maxInflight, 65535); // [MQTT-3.3.4-7]
    this.terms31 = new ConnectionTerms(3, inflight, 0, opts.maxBufferedBytes, this.stats);
    this.terms311 = new ConnectionTerms(4, inflight, 0, opts.maxBufferedBytes, this.stats);
    this.termsAwaitConnect = new ConnectionTerms(4, 65535, 0, opts.maxBufferedBytes, this.stats);
    this.ticker.add(this.keepAlive);
    this.ticker.add(this.wills);
    this.ticker.add(this.expiry);
    this.ticker.add({ advance: () => this.drainCongested() });
  }

  /** One tick: sessions whose sockets are no longer congested send what queued up. */
  private drainCongested(): void {
    if (this.drainPending.size === 0) return;
    const pending = [...this.drainPending];
    this.drainPending.clear();
    for (const s of pending) {
      try {
        s.drain(); // re-registers itself while still congested
      } catch (err) {
        this.opts.log(`internal error draining ${s.clientId}: ${(err as Error).stack ?? err}`, { level: "error", clientId: s.clientId });
      }
    }
  }
}
