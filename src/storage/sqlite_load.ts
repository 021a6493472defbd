/**
 * Reads a SQLite store back into a Snapshot. Rows owned by no session (left by a crash between
 * groups can't happen, but a hand-edited file can) are skipped, as the memory backend never keeps
 * them; messages are returned only when an outbound row refers to them.
 */
import type { Database, SqlValue } from "./sqlite_driver.ts";
import type { OutboundRow, Snapshot, StoredMessage, StoredSession } from "./types.ts";
import { decodeRecord } from "./record.ts";

type Row = Record<string, SqlValue>;

const EMPTY = new Uint8Array(0);

/** Everything in the file. */
export function loadSnapshot(db: Database): Snapshot {
  const sessions = new Map<string, StoredSession>();
  for (const r of db.prepare("SELECT * FROM sessions").all()) {
    const clientId = String(r.client_id);
    sessions.set(clientId, {
      session: {
        clientId, expiryInterval: num(r.expiry_interval), expiresAt: num(r.expires_at), lastSeen: num(r.last_seen),
        ...(r.username === null || r.username === undefined ? {} : { username: String(r.username) }),
      },
      subscriptions: [], outbound: [], inbound: [], will: null,
    });
  }
  for (const r of db.prepare("SELECT * FROM subscriptions").all()) {
    const clientId = String(r.client_id);
    sessions.get(clientId)?.subscriptions.push({
      clientId, filter: String(r.filter), options: num(r.options), subscriptionId: num(r.subscription_id),
    });
  }
  const wanted = new Set<number>();
  for (const r of db.prepare("SELECT * FROM outbound ORDER BY seq").all()) {
    const s = sessions.get(String(r.client_id));
    if (s === undefined) continue;
    const row = outboundRow(r);
    s.outbound.push(row);
    wanted.add(row.messageId);
  }
  for (const r of db.prepare("SELECT * FROM inbound_qos2 ORDER BY client_id, packet_id").all()) {
    sessions.get(String(r.client_id))?.inbound.push(num(r.packet_id));
  }
  for (const r of db.prepare("SELECT * FROM wills").all()) {
    const clientId = String(r.client_id);
    const s = sessions.get(clientId);
    if (s !== undefined) s.will = { clientId, message: decodeRecord(bytes(r.record)), delay: num(r.delay), dueAt: num(r.due_at) };
  }
  const messages = new Map<number, StoredMessage>();
  if (wanted.size > 0) {
    for (const r of db.prepare("SELECT id, record FROM messages").all()) {
      const id = num(r.id);
      if (wanted.has(id)) messages.set(id, decodeRecord(bytes(r.record)));
    }
  }
  const retained: StoredMessage[] = [];
  for (const r of db.prepare("SELECT record FROM retained").all()) retained.push({ ...decodeRecord(bytes(r.record)), retain: true });
  return { retained, sessions: [...sessions.values()], messages };
}

function outboundRow(r: Row): OutboundRow {
  const ids = r.sub_ids;
  return {
    clientId: String(r.client_id), seq: num(r.seq), messageId: num(r.message_id), qos: num(r.qos) as 0 | 1 | 2,
    retain: num(r.retain) !== 0, packetId: num(r.packet_id), state: num(r.state),
    subIds: ids === null || ids === undefined || ids === "" ? null : String(ids).split(",").map(Number),
  };
}

function num(v: SqlValue | undefined): number {
  return typeof v === "bigint" ? Number(v) : Number(v ?? 0);
}

/** A BLOB column (an empty BLOB may come back as null on some drivers). */
function bytes(v: SqlValue | undefined): Uint8Array {
  return v instanceof Uint8Array ? v : EMPTY;
}
