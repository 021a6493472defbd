// The shared backend suite on SQLite (every case reopens the file before load: what counts is on
// disk), plus what only a file has: integrity check, schema version, WAL and sync modes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteBackend } from "../../src/storage/sqlite.ts";
import { StorageError } from "../../src/storage/types.ts";
import { openDatabase } from "../../src/storage/sqlite_driver.ts";
import { backendSuite } from "./backend.case.ts";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "vireo-sqlite-"));
  dirs.push(d);
  return d;
}
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

backendSuite("sqlite", {
  make: () => SqliteBackend.open(join(tempDir(), "t.db")),
  reopen: async (b) => {
    await b.close();
    return SqliteBackend.open(b.location);
  },
});

test("sqlite: a corrupt file is one StorageError naming it, never an empty start", async () => {
  const file = join(tempDir(), "bad.db");
  writeFileSync(file, "this is not a database ".repeat(400));
  await assert.rejects(SqliteBackend.open(file), (err: Error) => {
    assert.ok(err instanceof StorageError);
    assert.match(err.message, new RegExp(`^database ${file.replace(/[/.]/g, "\\$&")}: `));
    return true;
  });
});

test("sqlite: a damaged page is caught by the integrity check at open", async () => {
  const file = join(tempDir(), "damaged.db");
  const b = await SqliteBackend.open(file);
  const ops = [];
  for (let i = 0; i < 400; i++) ops.push({ op: "retained.put" as const, message: {
    topic: new TextEncoder().encode(`t/${i}`), props: new Uint8Array(0), payload: new Uint8Array(200).fill(i & 0xff),
    qos: 1 as const, retain: true, expiresAt: 0,
  } });
  b.commit(ops);
  b.close();
  const { readFileSync } = await import("node:fs");
  const data = readFileSync(file);
  // Scribble over the middle pages (past the header page, so SQLite still recognises the file).
  for (let o = 4096 * 3; o < Math.min(data.length, 4096 * 8); o += 7) data[o] = 0xa5;
  writeFileSync(file, data);
  await assert.rejects(SqliteBackend.open(file), (err: Error) => err instanceof StorageError && err.message.startsWith(`database ${file}: `));
});

test("sqlite: a file from a newer schema is refused", async () => {
  const file = join(tempDir(), "future.db");
  const db = await openDatabase(file);
  db.exec("PRAGMA user_version = 99");
  db.close();
  await assert.rejects(SqliteBackend.open(file), /schema version 99 is newer/);
});

test("sqlite: WAL journal, synchronous NORMAL by default and FULL on request", async () => {
  for (const [mode, want] of [[undefined, 1], ["full", 2]] as const) {
    const file = join(tempDir(), `sync-${mode}.db`);
    const b = await SqliteBackend.open(file, { synchronous: mode });
    const db = (b as unknown as { db: { prepare(s: string): { all(): Record<string, unknown>[] } } }).db;
    assert.equal(Object.values(db.prepare("PRAGMA journal_mode").all()[0])[0], "wal");
    assert.equal(Number(Object.values(db.prepare("PRAGMA synchronous").all()[0])[0]), want);
    b.close();
  }
});

test("sqlite: a failing group changes nothing (atomic), and the same group can be retried", async () => {
  const file = join(tempDir(), "atomic.db");
  const b = await SqliteBackend.open(file);
  const good = { op: "session.put" as const, row: { clientId: "c", expiryInterval: 1, expiresAt: 0, lastSeen: 0 } };
  const bad = { op: "subscription.put" as const, row: null as never };
  assert.throws(() => b.commit([good, bad]), StorageError);
  assert.deepEqual(b.load().sessions, []);
  b.commit([good]);
  assert.equal(b.load().sessions.length, 1);
  b.close();
});

test("sqlite: deleted rows do not keep the file large after close (incremental vacuum, WAL folded back)", async () => {
  const { statSync } = await import("node:fs");
  const file = join(tempDir(), "vacuum.db");
  const b = await SqliteBackend.open(file);
  const topics = Array.from({ length: 3000 }, (_, i) => new TextEncoder().encode(`t/${i}`));
  b.commit(topics.map((topic) => ({ op: "retained.put" as const, message: {
    topic, props: new Uint8Array(0), payload: new Uint8Array(1000), qos: 1 as const, retain: true, expiresAt: 0,
  } })));
  b.commit(topics.map((topic) => ({ op: "retained.delete" as const, topic })));
  b.close();
  assert.ok(statSync(file).size < 200_000, `file is ${statSync(file).size} bytes after deleting 3 MB`);
});

test("sqlite: a damaged message record is a StorageError naming the file at load", async () => {
  const file = join(tempDir(), "record.db");
  const b = await SqliteBackend.open(file);
  b.commit([{ op: "retained.put", message: {
    topic: new TextEncoder().encode("t"), props: new Uint8Array(0), payload: new Uint8Array(3), qos: 0, retain: true, expiresAt: 0,
  } }]);
  b.close();
  const db = await openDatabase(file);
  db.prepare("UPDATE retained SET record = ?").run(Uint8Array.of(1, 2, 3));
  db.close();
  const again = await SqliteBackend.open(file);
  assert.throws(() => again.load(), (err: Error) => err instanceof StorageError && err.message.startsWith(`database ${file}: cannot read: `) && /too short/.test(err.message));
  again.close();
});
