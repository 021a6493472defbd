/**
 * A point-in-time reading of the broker for the operations side ($SYS, /metrics, the dashboard):
 * the counters copied, plus the gauges only a walk over the sessions can tell (subscriptions,
 * queued and in-flight messages, the deepest queues). One walk, on the reader's schedule: the hot
 * path keeps no running totals for these.
 */
import type { BrokerCore } from "../broker/core.ts";
import type { BrokerStats } from "../session/stats.ts";
import type { Session } from "../session/session.ts";

/** A session whose queue is among the deepest. */
export interface QueueDepth {
  clientId: string;
  connected: boolean;
  /** Deliveries queued behind the window or the socket. */
  queued: number;
  /** QoS 1/2 messages awaiting their acks. */
  inflight: number;
  /** Retained messages still owed to new subscriptions. */
  backlog: number;
}

/** What a snapshot holds. */
export interface BrokerSnapshot {
  /** Wall-clock time of the reading (ms). */
  at: number;
  /** Counters as they were at `at`. */
  stats: BrokerStats;
  /** Sessions, connected or not. */
  sessions: number;
  /** Sessions without a connection (persistent sessions waiting for their client). */
  disconnected: number;
  /** Connections that have not sent CONNECT yet. */
  pendingConnects: number;
  subscriptions: number;
  retained: number;
  queued: number;
  inflight: number;
  backlog: number;
  /** The `top` sessions with the most queued + in-flight + owed messages, deepest first. */
  deepest: QueueDepth[];
}

/** Reads the broker; `top` bounds the deepest-queue list (0 skips it). O(sessions). */
export function takeSnapshot(core: BrokerCore, top = 0): BrokerSnapshot {
  let disconnected = 0, subscriptions = 0, queued = 0, inflight = 0, backlog = 0;
  const deepest: QueueDepth[] = [];
  for (const s of core.sessions.values()) {
    if (s.link === null) disconnected++;
    subscriptions += s.subscriptionCount;
    const q = s.queuedCount, w = s.inflightSize, b = s.backlogSize;
    queued += q;
    inflight += w;
    backlog += b;
    if (top > 0 && q + w + b > 0) keepDeepest(deepest, s, top);
  }
  return {
    at: Date.now(), stats: { ...core.stats }, sessions: core.sessions.size, disconnected,
    pendingConnects: core.clients.size, subscriptions, retained: core.retained.size, queued, inflight, backlog, deepest,
  };
}

/** Depth of one session as listed. */
export function depthOf(s: Session): QueueDepth {
  return { clientId: s.clientId, connected: s.link !== null, queued: s.queuedCount, inflight: s.inflightSize, backlog: s.backlogSize };
}

/** Inserts `s` into the sorted, bounded `list` if deep enough (top is small: a linear insert). */
function keepDeepest(list: QueueDepth[], s: Session, top: number): void {
  const depth = s.queuedCount + s.inflightSize + s.backlogSize;
  if (list.length === top && total(list[top - 1]) >= depth) return;
  let i = list.length;
  while (i > 0 && total(list[i - 1]) < depth) i--;
  list.splice(i, 0, depthOf(s));
  if (list.length > top) list.pop();
}

function total(d: QueueDepth): number {
  return d.queued + d.inflight + d.backlog;
}
