/**
 * Clients, subscriptions and retained messages as the admin API shows them (JSON-ready objects),
 * and the two actions: disconnect a client, delete a retained topic. Cold path: strings and
 * allocations are fine here, but every list is bounded by the caller's page size.
 */
import type { BrokerCore } from "../broker/core.ts";
import { type Client, ClientState } from "../broker/client.ts";
import { closeWith } from "../broker/errors.ts";
import { endSession } from "../broker/lifecycle.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { Session } from "../session/session.ts";

const utf8 = new TextEncoder();
const text = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder();
const PROTOCOLS: Record<number, string> = { 3: "3.1", 4: "3.1.1", 5: "5.0" };

/** A client in a list. */
export interface ClientSummary {
  clientId: string;
  connected: boolean;
  /** "3.1", "3.1.1" or "5.0" while connected, else null. */
  protocol: string | null;
  address: string | null;
  subscriptions: number;
  queued: number;
  inflight: number;
}

/** List filters (all optional). */
export interface ClientFilter {
  state?: "connected" | "disconnected";
  /** Substring of the client id (case-sensitive). */
  search?: string;
  protocol?: string;
}

function connectedClient(s: Session): Client | null {
  const link = s.link as Client | null;
  return link !== null && link.state === ClientState.Connected ? link : null;
}

/** One session as listed. */
export function summarize(s: Session): ClientSummary {
  const c = connectedClient(s);
  return {
    clientId: s.clientId, connected: c !== null, protocol: c !== null ? PROTOCOLS[c.level] ?? String(c.level) : null,
    address: c !== null ? c.conn.remoteAddress || null : null,
    subscriptions: s.subscriptionCount, queued: s.queuedCount, inflight: s.inflightSize,
  };
}

/** A page of clients matching `f`, in session creation order, and how many matched in all. */
export function listClients(core: BrokerCore, f: ClientFilter, offset: number, limit: number): { total: number; items: ClientSummary[] } {
  const items: ClientSummary[] = [];
  let total = 0;
  for (const s of core.sessions.values()) {
    if (f.state !== undefined && (s.link !== null) !== (f.state === "connected")) continue;
    if (f.search !== undefined && !s.clientId.includes(f.search)) continue;
    if (f.protocol !== undefined) {
      const c = connectedClient(s);
      if (c === null || PROTOCOLS[c.level] !== f.protocol) continue;
    }
    if (total >= offset && items.length < limit) items.push(summarize(s));
    total++;
  }
  return { total, items };
}

/** One client in full, or null when there is no such session. */
export function clientDetail(core: BrokerCore, clientId: string): Record<string, unknown> | null {
  const s = core.sessions.get(clientId);
  if (s === undefined) return null;
  const c = connectedClient(s);
  return {
    ...summarize(s),
    keepAlive: c !== null && c.timeoutMs > 0 ? Math.round(c.timeoutMs / 1500) : null,
    session: {
      expiryInterval: s.expiryInterval, backlog: s.backlogSize, hasWill: s.will !== null,
      expiresAtMs: s.link === null ? core.expiry.dueAt(clientId) ?? null : null,
    },
    subscriptionList: subscriptionsOf(s),
  };
}

/** A session's subscriptions (read without creating its map). */
export function subscriptionsOf(s: Session): { filter: string; qos: number; noLocal: boolean; retainAsPublished: boolean; retainHandling: number; subscriptionId: number | null }[] {
  if (s.subscriptionCount === 0) return [];
  return [...s.subscriptions].map(([filter, r]) => ({
    filter, qos: r.options & 3, noLocal: (r.options & 4) !== 0, retainAsPublished: (r.options & 8) !== 0,
    retainHandling: (r.options >> 4) & 3, subscriptionId: r.subscriptionId || null,
  }));
}

/**
 * Disconnects a client as an administrative action (v5: DISCONNECT 0x98), its will applying as on
 * any server-side close. `endSessionToo` also discards the session. False when there is no such
 * session; a disconnected session is only ended when asked.
 */
export function disconnectClient(core: BrokerCore, clientId: string, endSessionToo: boolean): boolean {
  const s = core.sessions.get(clientId);
  if (s === undefined) return false;
  const c = connectedClient(s);
  if (c !== null) {
    if (endSessionToo) s.expiryInterval = 0; // detach then ends it
    closeWith(core, c, ReasonCode.AdministrativeAction, true);
  }
  if (endSessionToo && core.sessions.get(clientId) === s) endSession(core, s);
  return true;
}

/** A retained message as listed: UTF-8 payloads as text, others as base64. */
export interface RetainedView {
  topic: string;
  qos: number;
  bytes: number;
  payload: string;
  encoding: "utf8" | "base64";
}

/** Retained messages matching `filter`, at most `limit` (plus how many matched); null for an invalid filter. */
export function listRetained(core: BrokerCore, filter: string, limit: number): { total: number; items: RetainedView[] } | null {
  if (!core.index.validTopicFilter(filter)) return null;
  const msgs = core.retained.match(filter, core.clock.now());
  return { total: msgs.length, items: msgs.slice(0, limit).map((m) => ({ topic: lenient.decode(m.topic), qos: m.qos, bytes: m.payload.length, ...payloadView(m.payload) })) };
}

function payloadView(p: Uint8Array): { payload: string; encoding: "utf8" | "base64" } {
  try {
    return { payload: text.decode(p), encoding: "utf8" };
  } catch {
    let bin = "";
    for (let i = 0; i < p.length; i++) bin += String.fromCharCode(p[i]);
    return { payload: btoa(bin), encoding: "base64" };
  }
}

/**
 * Deletes the retained message of `topic` without routing anything (as an empty retained PUBLISH
 * would store nothing [MQTT-3.3.1-10]). Returns "deleted", "absent" or "invalid".
 */
export function deleteRetained(core: BrokerCore, topic: string): "deleted" | "absent" | "invalid" {
  if (!core.index.validTopicName(topic)) return "invalid";
  if (core.retained.match(topic, core.clock.now()).length === 0) return "absent";
  core.retained.set({ topic: utf8.encode(topic), props: new Uint8Array(0), payload: new Uint8Array(0), qos: 0, retain: true, origin: -1 });
  return "deleted";
}
