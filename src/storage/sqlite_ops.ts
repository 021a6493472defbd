/**
 * Each operation of the log as SQL: prepared once per database, run inside the group's
 * transaction. Puts are INSERT OR REPLACE and deletes plain DELETEs, so a group replays safely.
 *
 * Outbound entries live in a rowid table keyed by `seq` alone (the broker numbers every entry
 * from one counter): an entry's insert and delete are about half the cost of a (client_id, seq)
 * key's, and a durable QoS 1 message writes two or three of them. A session's entries are found
 * for session.delete through OutboundIndex, so that delete needs no index (and no write) per row.
 */
import type { Database, Statement } from "./sqlite_driver.ts";
import type { StoreOp } from "./types.ts";
import { encodeRecord } from "./record.ts";

const SQL: Record<StoreOp["op"], string[]> = {
  "session.put": ["INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)"],
  "session.delete": [
    "DELETE FROM sessions WHERE client_id = ?", "DELETE FROM subscriptions WHERE client_id = ?",
    "DELETE FROM outbound WHERE seq = ?", "DELETE FROM inbound_qos2 WHERE client_id = ?",
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

/**
 * Which outbound seqs each client id has in the file. Additions apply at once (a superset only
 * makes a session.delete try a row that is not there); removals wait for the commit (`settle`),
 * so a rolled-back group retried later still finds every row it must delete.
 */
export class OutboundIndex {
  private readonly byClient = new Map<string, Set<number>>();
  private gone: Array<string | number> = [];

  /** An entry of `clientId` is (or may be) in the file. */
  add(clientId: string, seq: number): void {
    let set = this.byClient.get(clientId);
    if (set === undefined) this.byClient.set(clientId, set = new Set());
    set.add(seq);
  }

  /** The seqs of `clientId` (possibly a few already deleted), as a copy. */
  of(clientId: string): number[] {
    const set = this.byClient.get(clientId);
    return set === undefined ? [] : [...set];
  }

  /** After the commit: `seq` of `clientId` is gone. */
  dropLater(clientId: string, seq: number): void {
    this.gone.push(clientId, seq);
  }

  /** The group committed: applies its removals. */
  settle(): void {
    const g = this.gone;
    for (let i = 0; i < g.length; i += 2) {
      const client = g[i] as string;
      const set = this.byClient.get(client);
      if (set !== undefined && set.delete(g[i + 1] as number) && set.size === 0) this.byClient.delete(client);
    }
    this.gone = [];
  }

  /** The group rolled back: its removals did not happen. */
  discard(): void {
    this.gone = [];
  }
}

/** Runs one operation (inside the caller's transaction). */
export function applyOp(statements: Map<StoreOp["op"], Statement[]>, index: OutboundIndex, o: StoreOp): void {
  const st = statements.get(o.op)!;
  switch (o.op) {
    case "session.put": return st[0].run(o.row.clientId, o.row.expiryInterval, o.row.expiresAt, o.row.lastSeen);
    case "session.delete": {
      st[0].run(o.clientId);
      st[1].run(o.clientId);
      // Seq by seq, each forgotten only after the commit: an entry a new session of the same id
      // puts later in this group stays known (seqs are never reused: Journal.nextOutboundSeq).
      for (const seq of index.of(o.clientId)) {
        st[2].run(seq);
        index.dropLater(o.clientId, seq);
      }
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
    case "outbound.delete": {
      index.dropLater(o.clientId, o.seq);
      return st[0].run(o.seq, o.clientId);
    }
    case "inbound.put": return st[0].run(o.clientId, o.packetId);
    case "inbound.delete": return st[0].run(o.clientId, o.packetId);
    case "will.put": return st[0].run(o.row.clientId, encodeRecord(o.row.message), o.row.delay, o.row.dueAt);
    case "will.delete": return st[0].run(o.clientId);
  }
}
