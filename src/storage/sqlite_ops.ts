/**
 * Each operation of the log as SQL: prepared once per database, run inside the group's
 * transaction. Puts are INSERT OR REPLACE and deletes plain DELETEs, so a group replays safely.
 *
 * Outbound entries live in a rowid table keyed by `seq` alone (the broker numbers every entry
 * from one counter): an entry's insert and delete are about half the cost of a (client_id, seq)
 * key's, and a durable QoS 1 message writes two or three of them. A session's entries are found
 * for session.delete through OutboundIndex, so that delete needs no SQL index (no write) per row.
 */
import type { Database, Statement } from "./sqlite_driver.ts";
import type { StoreOp } from "./types.ts";
import { encodeRecord } from "./record.ts";

const SQL: Record<StoreOp["op"], string[]> = {
  "session.put": ["INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?)"],
  "session.delete": [
    "DELETE FROM sessions WHERE client_id = ?", "DELETE FROM subscriptions WHERE client_id = ?",
    "DELETE FROM outbound WHERE seq BETWEEN ? AND ? AND client_id = ?", "DELETE FROM inbound_qos2 WHERE client_id = ?",
    "DELETE FROM wills WHERE client_id = ?",
  ],
  "subscription.put": ["INSERT OR REPLACE INTO subscriptions VALUES (?, ?, ?, ?)"],
  "subscription.delete": ["DELETE FROM subscriptions WHERE client_id = ? AND filter = ?"],
  "retained.put": ["INSERT OR REPLACE INTO retained VALUES (?, ?)"],
  "retained.delete": ["DELETE FROM retained WHERE topic = ?"],
  "message.put": ["INSERT OR REPLACE INTO messages VALUES (?, ?)"],
  "message.delete": ["DELETE FROM messages WHERE id = ?"],
  "outbound.put": ["INSERT OR REPLACE INTO outbound VALUES (?, ?, ?, ?, ?, ?, ?, ?)"],
  "outbound.delete": ["DELETE FROM outbound WHERE seq = ? AND client_id = ?"],
  "inbound.put": ["INSERT OR REPLACE INTO inbound_qos2 VALUES (?, ?)"],
  "inbound.delete": ["DELETE FROM inbound_qos2 WHERE client_id = ? AND packet_id = ?"],
  "will.put": ["INSERT OR REPLACE INTO wills VALUES (?, ?, ?, ?)"],
  "will.delete": ["DELETE FROM wills WHERE client_id = ?"],
};

/** Prepares every operation's statements (after the schema exists). */
export function prepareStatements(db: Database): Map<StoreOp["op"], Statement[]> {
  const out = new Map<StoreOp["op"], Statement[]>();
  for (const [op, sqls] of Object.entries(SQL)) out.set(op as StoreOp["op"], sqls.map((s) => db.prepare(s)));
  return out;
}

/** The span of seqs a client's entries lie in (other clients' entries may lie between them). */
interface Span {
  min: number;
  max: number;
}

/**
 * Where each client id's outbound entries lie in the seq order: a span per client, widened by
 * every put and never narrowed while the client has entries, so a session.delete scans only that
 * span of the rowid table (`seq BETWEEN min AND max AND client_id = ?`) — one Map lookup and two
 * compares per put, rather than a per-entry index. A span is dropped only after a group deleting
 * its session committed, and only when no later put in that group widened it (a new session of
 * the same id): a rolled-back group, retried, still finds every row.
 */
export class OutboundIndex {
  private readonly spans = new Map<string, Span>();
  private gone: Array<[string, Span, number]> = [];

  /** An entry of `clientId` is (or may be) in the file. */
  add(clientId: string, seq: number): void {
    const span = this.spans.get(clientId);
    if (span === undefined) this.spans.set(clientId, { min: seq, max: seq });
    else if (seq > span.max) span.max = seq;
    else if (seq < span.min) span.min = seq;
  }

  /** The span of `clientId`'s entries, null when it has none; forgotten after the commit. */
  take(clientId: string): Span | null {
    const span = this.spans.get(clientId);
    if (span === undefined) return null;
    this.gone.push([clientId, span, span.max]);
    return span;
  }

  /** The group committed: forgets the spans of deleted sessions nothing was put for since. */
  settle(): void {
    for (const [client, span, max] of this.gone) if (this.spans.get(client) === span && span.max === max) this.spans.delete(client);
    this.gone = [];
  }

  /** The group rolled back: every span stays. */
  discard(): void {
    this.gone = [];
  }
}

/** Runs one operation (inside the caller's transaction). */
export function applyOp(statements: Map<StoreOp["op"], Statement[]>, index: OutboundIndex, o: StoreOp): void {
  const st = statements.get(o.op)!;
  switch (o.op) {
    case "session.put": return st[0].run(o.row.clientId, o.row.expiryInterval, o.row.expiresAt, o.row.lastSeen, o.row.username ?? null);
    case "session.delete": {
      st[0].run(o.clientId);
      st[1].run(o.clientId);
      const span = index.take(o.clientId);
      if (span !== null) st[2].run(span.min, span.max, o.clientId);
      st[3].run(o.clientId);
      return st[4].run(o.clientId);
    }
    case "subscription.put": return st[0].run(o.row.clientId, o.row.filter, o.row.options, o.row.subscriptionId);
    case "subscription.delete": return st[0].run(o.clientId, o.filter);
    case "retained.put": return st[0].run(o.message.topic, encodeRecord(o.message));
    case "retained.delete": return st[0].run(o.topic);
    case "message.put": return st[0].run(o.id, encodeRecord(o.message));
    case "message.delete": return st[0].run(o.id);
    case "outbound.put": {
      const r = o.row;
      index.add(r.clientId, r.seq);
      const subIds = r.subIds === null ? null : r.subIds.join(",");
      return st[0].run(r.seq, r.clientId, r.messageId, r.qos, r.retain ? 1 : 0, r.packetId, r.state, subIds);
    }
    case "outbound.delete": return st[0].run(o.seq, o.clientId);
    case "inbound.put": return st[0].run(o.clientId, o.packetId);
    case "inbound.delete": return st[0].run(o.clientId, o.packetId);
    case "will.put": return st[0].run(o.row.clientId, encodeRecord(o.row.message), o.row.delay, o.row.dueAt);
    case "will.delete": return st[0].run(o.clientId);
  }
}
