/**
 * Each operation of the log as SQL: prepared once per database, run inside the group's
 * transaction. Puts are INSERT OR REPLACE and deletes plain DELETEs, so a group replays safely.
 */
import type { Database, Statement } from "./sqlite_driver.ts";
import type { StoreOp } from "./types.ts";
import { encodeRecord } from "./record.ts";

const SQL: Record<StoreOp["op"], string[]> = {
  "session.put": ["INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)"],
  "session.delete": [
    "DELETE FROM sessions WHERE client_id = ?", "DELETE FROM subscriptions WHERE client_id = ?",
    "DELETE FROM outbound WHERE client_id = ?", "DELETE FROM inbound_qos2 WHERE client_id = ?",
    "DELETE FROM wills WHERE client_id = ?",
  ],
  "subscription.put": ["INSERT OR REPLACE INTO subscriptions VALUES (?, ?, ?, ?)"],
  "subscription.delete": ["DELETE FROM subscriptions WHERE client_id = ? AND filter = ?"],
  "retained.put": ["INSERT OR REPLACE INTO retained VALUES (?, ?)"],
  "retained.delete": ["DELETE FROM retained WHERE topic = ?"],
  "message.put": ["INSERT OR REPLACE INTO messages VALUES (?, ?)"],
  "message.delete": ["DELETE FROM messages WHERE id = ?"],
  "outbound.put": ["INSERT OR REPLACE INTO outbound VALUES (?, ?, ?, ?, ?, ?, ?, ?)"],
  "outbound.delete": ["DELETE FROM outbound WHERE client_id = ? AND seq = ?"],
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

/** Runs one operation (inside the caller's transaction). */
export function applyOp(statements: Map<StoreOp["op"], Statement[]>, o: StoreOp): void {
  const st = statements.get(o.op)!;
  switch (o.op) {
    case "session.put": return st[0].run(o.row.clientId, o.row.expiryInterval, o.row.expiresAt, o.row.lastSeen);
    case "session.delete": for (const s of st) s.run(o.clientId);
      return;
    case "subscription.put": return st[0].run(o.row.clientId, o.row.filter, o.row.options, o.row.subscriptionId);
    case "subscription.delete": return st[0].run(o.clientId, o.filter);
    case "retained.put": return st[0].run(o.message.topic, encodeRecord(o.message));
    case "retained.delete": return st[0].run(o.topic);
    case "message.put": return st[0].run(o.id, encodeRecord(o.message));
    case "message.delete": return st[0].run(o.id);
    case "outbound.put": {
      const r = o.row;
      const subIds = r.subIds === null ? null : r.subIds.join(",");
      return st[0].run(r.clientId, r.seq, r.messageId, r.qos, r.retain ? 1 : 0, r.packetId, r.state, subIds);
    }
    case "outbound.delete": return st[0].run(o.clientId, o.seq);
    case "inbound.put": return st[0].run(o.clientId, o.packetId);
    case "inbound.delete": return st[0].run(o.clientId, o.packetId);
    case "will.put": return st[0].run(o.row.clientId, encodeRecord(o.row.message), o.row.delay, o.row.dueAt);
    case "will.delete": return st[0].run(o.clientId);
  }
}
