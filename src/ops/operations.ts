/**
 * The operations side of one broker while an HTTP endpoint serves it: the event-loop delay
 * monitor, the busiest-topics sampler and the per-second history the dashboard charts, all driven
 * by the broker's own tick. Nothing of this exists (and the publish path tests one null field)
 * until an ops handler is created; close() takes it all away again.
 */
import type { Broker } from "../broker/broker.ts";
import { DROP_REASONS } from "../session/stats.ts";
import type { Tickable } from "../timers/clock.ts";
import { LoopDelayMonitor } from "./loop_delay.ts";
import { renderMetrics } from "./metrics.ts";
import { type BrokerSnapshot, type QueueDepth, takeSnapshot } from "./snapshot.ts";
import { TopicSampler } from "./topic_sampler.ts";

/** Seconds of per-second history kept for the chart (5 minutes). */
export const HISTORY_SECONDS = 300;

/** One second of traffic. */
export interface RatePoint {
  /** End of the second (ms since the epoch). */
  t: number;
  /** PUBLISH packets received per second. */
  in: number;
  /** PUBLISH packets sent per second. */
  out: number;
}

/** What the dashboard shows, refreshed every second. */
export interface Overview {
  at: number;
  uptimeSeconds: number;
  clients: number;
  sessions: number;
  disconnected: number;
  subscriptions: number;
  retained: number;
  queued: number;
  inflight: number;
  rate: RatePoint;
  totals: { received: number; sent: number; bytesReceived: number; bytesSent: number };
  drops: Record<string, number>;
  busiestTopics: { topic: string; rate: number }[];
  deepestQueues: QueueDepth[];
}

/** The name of the runtime serving ("bun", "deno" or "node"). */
export function runtimeName(): string {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  return g.Bun !== undefined ? "bun" : g.Deno !== undefined ? "deno" : "node";
}

/** Ops state of one broker. */
export class Operations {
  readonly startedAt = Date.now();
  readonly loopDelay: LoopDelayMonitor;
  readonly sampler = new TopicSampler();
  private readonly history: RatePoint[] = [];
  private readonly listeners = new Set<(o: Overview) => void>();
  private readonly secondTick: Tickable;
  private lastSecond = performance.now();
  private lastIn: number;
  private lastOut: number;
  private current: Overview | null = null;

  constructor(readonly broker: Broker) {
    const core = broker.core;
    this.loopDelay = new LoopDelayMonitor(core.opts.keepAliveTickMs);
    this.lastIn = core.stats.publishesReceived;
    this.lastOut = core.stats.publishesSent;
    this.secondTick = { advance: () => this.maybeSecond() };
    core.ticker.add(this.loopDelay);
    core.ticker.add(this.secondTick);
    core.topicSampler = this.sampler;
  }

  /** Detaches from the broker's tick and publish path. */
  close(): void {
    const core = this.broker.core;
    core.ticker.remove(this.loopDelay);
    core.ticker.remove(this.secondTick);
    if (core.topicSampler === this.sampler) core.topicSampler = null;
    this.listeners.clear();
  }

  /** The per-second points held, oldest first. */
  rates(): RatePoint[] {
    return this.history.slice();
  }

  /** The latest overview (computed now if no second has passed yet). */
  overview(): Overview {
    return this.current ??= this.makeOverview(takeSnapshot(this.broker.core, 10), this.history.at(-1) ?? { t: Date.now(), in: 0, out: 0 });
  }

  /** Live-feed subscribers (open dashboard event streams). */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Calls `f` with every new overview (once a second); returns the unsubscribe function. */
  subscribe(f: (o: Overview) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** The /metrics text. */
  metrics(): string {
    return renderMetrics({ snapshot: takeSnapshot(this.broker.core), loopDelay: this.loopDelay, startedAt: this.startedAt, runtime: runtimeName() });
  }

  /** Once a second: a history point, the sampler rolled, a fresh overview to the listeners. */
  private maybeSecond(): void {
    const t = performance.now();
    const dt = (t - this.lastSecond) / 1000;
    if (dt < 1) return;
    this.lastSecond = t;
    const stats = this.broker.core.stats;
    const point = {
      t: Date.now(),
      in: Math.round((stats.publishesReceived - this.lastIn) / dt),
      out: Math.round((stats.publishesSent - this.lastOut) / dt),
    };
    this.lastIn = stats.publishesReceived;
    this.lastOut = stats.publishesSent;
    this.history.push(point);
    if (this.history.length > HISTORY_SECONDS) this.history.shift();
    this.sampler.roll(dt);
    if (this.listeners.size === 0) {
      this.current = null; // computed on demand: no session walk each second for nobody
      return;
    }
    const o = (this.current = this.makeOverview(takeSnapshot(this.broker.core, 10), point));
    for (const f of this.listeners) f(o);
  }

  private makeOverview(s: BrokerSnapshot, rate: RatePoint): Overview {
    const st = s.stats;
    const drops: Record<string, number> = {};
    for (const [reason, key] of Object.entries(DROP_REASONS)) drops[reason] = st[key];
    return {
      at: s.at, uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000), clients: st.clients, sessions: s.sessions,
      disconnected: s.disconnected, subscriptions: s.subscriptions, retained: s.retained, queued: s.queued, inflight: s.inflight,
      rate, totals: { received: st.publishesReceived, sent: st.publishesSent, bytesReceived: st.bytesReceived, bytesSent: st.bytesSent },
      drops, busiestTopics: this.sampler.busiest(10), deepestQueues: s.deepest,
    };
  }
}
