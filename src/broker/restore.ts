/**
 * Restart: the storage snapshot back into a broker before its listener opens. Deadlines that
 * passed while the broker was down are applied here: expired sessions and retained messages are
 * deleted (in the store too), a session that was connected when the broker stopped starts its
 * expiry now (its connection is gone).
 */
import { ClientAccess } from "../auth/client_access.ts";
import { PropertyId } from "../protocol/packets.ts";
import type { Message } from "../session/message.ts";
import { type OutboundRow, OutboundState, type Snapshot, type StoredMessage, type StoredSession } from "../storage/types.ts";
import type { Session } from "../session/session.ts";
import { PushResult } from "../session/queue.ts";
import { DurableOutbox } from "./durable_outbox.ts";
import { Journal } from "../storage/journal.ts";
import { openDataDir } from "../storage/open.ts";
import { findProperty } from "../protocol/props.ts";
import type { BrokerCore } from "./core.ts";
import { EXPIRY_NEVER } from "./lifecycle.ts";

/** A progress line on stderr every this many restored retained messages (a large store takes seconds). */
const PROGRESS_EVERY = 250_000;

/** What restore() did, for the start-up line. */
export interface RestoreCounts {
  retained: number;
  sessions: number;
  subscriptions: number;
  expiredRetained: number;
  expiredSessions: number;
  /** Wills published on restore or scheduled for their deadline. */
  wills: number;
  /** Queued and in-flight QoS 1/2 messages put back. */
  messages: number;
  /** Entries that could not be put back (message missing, queue full): deleted after the restore. */
  droppedEntries: Array<[string, number]>;
}

/**
 * Loads `snap` into `core` (which must be empty of sessions and retained messages) with the
 * journal muted, then records the deletions and new deadlines the restore decided.
 */
export function restore(core: BrokerCore, journal: Journal, snap: Snapshot): RestoreCounts {
  const now = core.clock.refresh();
  const counts: RestoreCounts = {
    retained: 0, sessions: 0, subscriptions: 0, expiredRetained: 0, expiredSessions: 0, messages: 0, wills: 0, droppedEntries: [],
  };
  const expiredTopics: Uint8Array[] = [];
  const expiredSessions: string[] = [];
  const started: Array<[string, number, number]> = [];
  const messages = new Restored(snap);
  const wills: Array<[string, Message, number, number]> = [];
  journal.muted = true;
  try {
    const total = snap.retained.length;
    for (let i = 0; i < total; i++) {
      const m = snap.retained[i];
      if (m.expiresAt > 0 && m.expiresAt <= now) expiredTopics.push(m.topic);
      else core.retained.set(brokerMessage(m));
      if (i % PROGRESS_EVERY === PROGRESS_EVERY - 1) core.opts.log(`storage: restoring retained messages: ${i + 1} of ${total}`);
    }
    counts.retained = core.retained.size;
    for (const st of snap.sessions) {
      const row = st.session;
      const interval = row.expiryInterval === EXPIRY_NEVER ? idleLimit(core) : row.expiryInterval;
      const deadline = row.expiresAt > 0 ? Math.min(row.expiresAt, row.lastSeen + interval * 1000)
        : interval === EXPIRY_NEVER ? 0 : now + interval * 1000;
      if (deadline > 0 && deadline <= now) {
        expiredSessions.push(row.clientId);
        if (st.will !== null) wills.push([row.clientId, brokerMessage(st.will.message), -1, now]); // the session ended: its will goes
        continue;
      }
      const s = core.sessions.create(row.clientId);
      s.expiryInterval = row.expiryInterval;
      // Its deliveries while offline are checked as the user its last connection authenticated as.
      s.durable = true;
      core.stats.persistentSessions++;
      for (const sub of st.subscriptions) {
        core.index.subscribe(sub.filter, s.sid, sub.options, sub.subscriptionId);
        s.subscriptions.set(sub.filter, { options: sub.options, subscriptionId: sub.subscriptionId });
        counts.subscriptions++;
      }
      if (core.sessions.gated) core.sessions.setAccess(s, new ClientAccess(core.access!, row.username, row.clientId));
      restoreMessages(s, st, messages, counts);
      // A will whose connection was alive when the broker stopped: that connection ended then.
      const w = st.will;
      if (w !== null) wills.push([row.clientId, brokerMessage(w.message), s.sid, w.dueAt > 0 ? w.dueAt : now + w.delay * 1000]);
      if (deadline > 0) core.expiry.set(row.clientId, deadline);
      if (row.expiresAt === 0 && deadline > 0) started.push([row.clientId, row.expiryInterval, deadline]);
      counts.sessions++;
    }
  } finally {
    journal.muted = false;
  }
  messages.adoptInto(journal);
  for (const [clientId, seq] of counts.droppedEntries) journal.outboundDelete(clientId, seq);
  for (const t of expiredTopics) journal.retainedDelete(t);
  for (const id of expiredSessions) journal.sessionDelete(id);
  for (const [id, interval, deadline] of started) journal.sessionPut(id, interval, deadline, now);
  // Wills last: everyone they may go to is back. Due ones (the delay passed while down) go now.
  for (const [id, msg, origin, due] of wills) {
    if (due <= now) core.publishWill(msg, origin, id);
    else core.wills.scheduleAt(id, msg, origin, due);
  }
  counts.wills = wills.length;
  counts.expiredRetained = expiredTopics.length;
  counts.expiredSessions = expiredSessions.length;
  return counts;
}

/**
 * The stored messages of outbound entries as broker messages, one object per stored id (sessions
 * share them as they did before the restart), with how many entries took each.
 */
class Restored {
  private readonly byId = new Map<number, { msg: Message; refs: number }>();
  private maxSeq = 0;

  constructor(private readonly snap: Snapshot) {}

  /** The message for entry `r` (counting the reference), or undefined when it is missing. */
  take(r: OutboundRow): Message | undefined {
    if (r.seq > this.maxSeq) this.maxSeq = r.seq;
    let e = this.byId.get(r.messageId);
    if (e === undefined) {
      const m = this.snap.messages.get(r.messageId);
      if (m === undefined) return undefined;
      this.byId.set(r.messageId, (e = { msg: brokerMessage(m), refs: 0 }));
    }
    e.refs++;
    return e.msg;
  }

  /** Gives the journal the restored references and its numbering. */
  adoptInto(journal: Journal): void {
    let maxId = 0;
    for (const id of this.snap.messages.keys()) if (id > maxId) maxId = id;
    for (const [id, e] of this.byId) journal.adopt(e.msg, id, e.refs);
    journal.seed(maxId, this.maxSeq);
  }
}

/**
 * A session's inbound QoS 2 ids and its outbound entries: in flight ones back into the window
 * under their packet ids (re-sent with DUP when the client resumes [MQTT-4.4.0-1]), queued ones
 * into the queue, in their original order.
 */
function restoreMessages(s: Session, st: StoredSession, messages: Restored, counts: RestoreCounts): void {
  for (const id of st.inbound) s.inboundQos2.add(id);
  for (const r of st.outbound) {
    const msg = messages.take(r);
    const inWindow = msg !== undefined && r.state !== OutboundState.Queued &&
      s.inflight.restore(msg, r.qos, r.retain, r.subIds, r.seq, r.packetId, r.state === OutboundState.Released);
    const queued = inWindow || (msg !== undefined && s.queue.push({ msg, qos: r.qos, retain: r.retain, subIds: r.subIds, storeSeq: r.seq }) === PushResult.Queued);
    if (queued) counts.messages++;
    else counts.droppedEntries.push([s.clientId, r.seq]);
  }
}

/** persistent_client_expiration in seconds, or "never". */
function idleLimit(core: BrokerCore): number {
  const p = core.opts.persistentClientExpiration;
  return p > 0 ? p : EXPIRY_NEVER;
}

/** A stored message as the broker keeps it (expiry offset found again in its properties). */
export function brokerMessage(m: StoredMessage): Message {
  const msg: Message = { topic: m.topic, props: m.props, payload: m.payload, qos: m.qos, retain: m.retain, origin: -1 };
  if (m.expiresAt > 0) {
    const at = findProperty(m.props, PropertyId.MessageExpiryInterval);
    if (at >= 0) {
      msg.expiresAt = m.expiresAt;
      msg.expiryOffset = at;
    }
  }
  return msg;
}

/**
 * Opens the configured storage (the given backend, or the data directory when persistence is on),
 * restores it into `core` and starts recording: core.journal is set. Logs one line with what came
 * back and how long it took. Nothing to do in memory mode.
 * @throws StorageError naming the file or directory (unreadable, corrupt, locked by another broker).
 */
export async function startStorage(core: BrokerCore): Promise<void> {
  const o = core.opts;
  if (core.journal !== null) return;
  let backend = o.storage;
  if (backend === null && o.persistence) {
    backend = await openDataDir({ dir: o.persistenceLocation, file: o.persistenceFile, synchronous: o.persistenceSync });
  }
  if (backend === null) return;
  const t0 = performance.now();
  let snap: Snapshot;
  try {
    snap = await backend.load();
  } catch (err) {
    await backend.close();
    throw err;
  }
  const journal = new Journal(backend, { log: o.log });
  const c = restore(core, journal, snap);
  core.journal = journal;
  core.retained.journal = journal;
  core.sessionContext.outbox = new DurableOutbox(journal);
  const ms = Math.round(performance.now() - t0);
  o.log(`storage ${backend.location}: restored ${c.retained} retained message(s), ${c.sessions} session(s) with ` +
    `${c.subscriptions} subscription(s) and ${c.messages} queued or in-flight message(s), ${c.wills} will(s) in ${ms} ms; removed ${c.expiredSessions} expired session(s), ` +
    `${c.expiredRetained} expired retained message(s)`);
}

/** Commits what is pending and closes the backend (shutdown). Failures are logged, not thrown. */
export async function stopStorage(core: BrokerCore): Promise<void> {
  const j = core.journal;
  if (j === null) return;
  core.journal = null;
  core.retained.journal = null;
  core.sessionContext.outbox = null;
  try {
    await j.log.flush();
  } catch (err) {
    core.opts.log(`storage ${j.log.backend.location}: ${(err as Error).message}; changes since the last commit are lost`);
  }
  j.log.stop();
  await j.log.backend.close();
}
