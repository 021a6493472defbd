// The SQLite outbound table (schema 2: keyed by seq alone): a session.delete finds a session's
// entries through the backend's index — after a load, without one, across a rolled-back group
// and next to a new session of the same id — and a schema-1 file is migrated at open.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMA_VERSION, SqliteBackend } from "../../src/storage/sqlite.ts";
import { type Database, openDatabase } from "../../src/storage/sqlite_driver.ts";
import type { OutboundRow, StoreOp } from "../../src/storage/types.ts";

const dirs: string[] = [];
function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), "vireo-outbound-"));
  dirs.push(d);
  return join(d, "t.db");
}
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const session = (clientId: string): StoreOp => ({ op: "session.put", row: { clientId, expiryInterval: 100, expiresAt: 0, lastSeen: 0 } });
const entry = (clientId: string, seq: number, state = 0): StoreOp => ({
  op: "outbound.put", row: { clientId, seq, messageId: 1, qos: 1, retain: false, packetId: state === 0 ? 0 : seq, state, subIds: null },
});
const message: StoreOp = {
  op: "message.put", id: 1,
  message: { topic: new TextEncoder().encode("t"), props: new Uint8Array(0), payload: new Uint8Array([1]), qos: 1, retain: false, expiresAt: 0 },
};

/** client id → its outbound seqs, straight from the file. */
async function rows(file: string): Promise<Record<string, number[]>> {
  const db = await openDatabase(file);
  try {
    const out: Record<string, number[]> = {};
    for (const r of db.prepare("SELECT client_id, seq FROM outbound ORDER BY seq").all()) (out[String(r.client_id)] ??= []).push(Number(r.seq));
    return out;
  } finally {
    db.close();
  }
}

const seqs = (out: OutboundRow[]) => out.map((r) => r.seq);

test("sqlite outbound: session.delete removes the session's entries, with or without a load first", async () => {
  for (const loadFirst of [false, true]) {
    const file = tempFile();
    const b = await SqliteBackend.open(file);
    b.commit([session("a"), session("b"), message, entry("a", 1), entry("b", 2), entry("a", 3, 1)]);
    b.close();
    const b2 = await SqliteBackend.open(file);
    if (loadFirst) assert.deepEqual(b2.load().sessions.map((s) => seqs(s.outbound)), [[1, 3], [2]]);
    b2.commit([{ op: "session.delete", clientId: "a" }]);
    b2.close();
    assert.deepEqual(await rows(file), { b: [2] }, `load first: ${loadFirst}`);
  }
});

test("sqlite outbound: a new session of the same id in the same group keeps its entries, a later delete takes them", async () => {
  const file = tempFile();
  const b = await SqliteBackend.open(file);
  b.commit([session("a"), message, entry("a", 1), entry("a", 2)]);
  b.commit([{ op: "session.delete", clientId: "a" }, session("a"), entry("a", 3)]);
  assert.deepEqual(await rows(file), { a: [3] });
  b.commit([{ op: "outbound.delete", clientId: "a", seq: 3 }, entry("a", 4)]);
  b.commit([{ op: "session.delete", clientId: "a" }]);
  assert.deepEqual(await rows(file), {});
  b.close();
});

test("sqlite outbound: a group rolled back (database locked) and retried still deletes every entry", async () => {
  const file = tempFile();
  const b = await SqliteBackend.open(file);
  b.commit([session("a"), session("b"), message, entry("a", 1), entry("a", 2), entry("b", 3)]);
  const group: StoreOp[] = [{ op: "outbound.delete", clientId: "a", seq: 1 }, { op: "session.delete", clientId: "a" }];
  const other: Database = await openDatabase(file);
  other.exec("BEGIN IMMEDIATE"); // holds the write lock: the backend's commit fails (busy_timeout 0)
  assert.throws(() => b.commit(group), /write failed/);
  other.exec("ROLLBACK");
  other.close();
  assert.deepEqual(await rows(file), { a: [1, 2], b: [3] }, "nothing of the failed group is on disk");
  b.commit(group);
  assert.deepEqual(await rows(file), { b: [3] });
  b.close();
});

test("sqlite outbound: a schema-1 file (outbound keyed by client id and seq) is migrated at open", async () => {
  const file = tempFile();
  const db = await openDatabase(file);
  db.exec(`CREATE TABLE sessions (client_id TEXT PRIMARY KEY, expiry_interval INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE messages (id INTEGER PRIMARY KEY, record BLOB NOT NULL);
    CREATE TABLE outbound (client_id TEXT NOT NULL, seq INTEGER NOT NULL, message_id INTEGER NOT NULL, qos INTEGER NOT NULL,
      retain INTEGER NOT NULL, packet_id INTEGER NOT NULL, state INTEGER NOT NULL, sub_ids TEXT, PRIMARY KEY (client_id, seq)) WITHOUT ROWID;
    PRAGMA user_version = 1;`);
  db.exec(`INSERT INTO sessions VALUES ('b', 100, 0, 0), ('a', 100, 0, 0);
    INSERT INTO outbound VALUES ('b', 5, 1, 1, 0, 0, 0, NULL), ('a', 7, 1, 2, 1, 9, 1, '3,4'), ('a', 6, 1, 1, 0, 0, 0, NULL);`);
  db.close();
  const b = await SqliteBackend.open(file);
  b.commit([message]); // the messages table of a real v1 file has the record; here it is put now
  b.close();
  const b2 = await SqliteBackend.open(file);
  const snap = b2.load();
  const a = snap.sessions.find((s) => s.session.clientId === "a")!;
  assert.deepEqual(a.outbound.map((r) => [r.seq, r.qos, r.retain, r.packetId, r.state, r.subIds]), [[6, 1, false, 0, 0, null], [7, 2, true, 9, 1, [3, 4]]]);
  assert.deepEqual(seqs(snap.sessions.find((s) => s.session.clientId === "b")!.outbound), [5]);
  b2.commit([{ op: "session.delete", clientId: "a" }]);
  b2.close();
  assert.deepEqual(await rows(file), { b: [5] });
  const check = await openDatabase(file);
  const version = Number(Object.values(check.prepare("PRAGMA user_version").all()[0])[0]);
  check.close();
  assert.equal(version, SCHEMA_VERSION);
});
