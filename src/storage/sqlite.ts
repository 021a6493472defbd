/**
 * The SQLite backend: one file, one schema on every runtime (sqlite_driver.ts picks the driver).
 * WAL journal; `synchronous=NORMAL` by default (a commit survives a process crash: the WAL is in
 * the OS's hands), FULL on request (it survives a power loss: fsync per commit). The file is
 * checked at open (quick_check); a corrupt or unreadable one is a StorageError naming it. Messages
 * are stored as one BLOB each (record.ts).
 */
import { type Database, openDatabase, type SqlValue, type Statement } from "./sqlite_driver.ts";
import { applyOp, OutboundIndex, prepareStatements } from "./sqlite_ops.ts";
import { loadSnapshot } from "./sqlite_load.ts";
import { type Snapshot, type StorageBackend, StorageError, type StoreOp } from "./types.ts";

/** Schema version in PRAGMA user_version; a file from a newer Vireo is refused. */
export const SCHEMA_VERSION = 3;

/** Version 1 kept outbound WITHOUT ROWID keyed by (client_id, seq); version 2 by seq (sqlite_ops.ts). */
const MIGRATE_1_TO_2 = `
BEGIN;
CREATE TABLE outbound_v2 (
  seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL, message_id INTEGER NOT NULL, qos INTEGER NOT NULL,
  retain INTEGER NOT NULL, packet_id INTEGER NOT NULL, state INTEGER NOT NULL, sub_ids TEXT
);
INSERT INTO outbound_v2 SELECT seq, client_id, message_id, qos, retain, packet_id, state, sub_ids FROM outbound;
DROP TABLE outbound;
ALTER TABLE outbound_v2 RENAME TO outbound;
PRAGMA user_version = 2;
COMMIT;
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  client_id TEXT PRIMARY KEY, expiry_interval INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  username TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subscriptions (
  client_id TEXT NOT NULL, filter TEXT NOT NULL, options INTEGER NOT NULL, subscription_id INTEGER NOT NULL,
  PRIMARY KEY (client_id, filter)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retained (topic BLOB PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outbound (
  seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL, message_id INTEGER NOT NULL, qos INTEGER NOT NULL,
  retain INTEGER NOT NULL, packet_id INTEGER NOT NULL, state INTEGER NOT NULL, sub_ids TEXT
);
CREATE TABLE IF NOT EXISTS inbound_qos2 (
  client_id TEXT NOT NULL, packet_id INTEGER NOT NULL, PRIMARY KEY (client_id, packet_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS wills (
  client_id TEXT PRIMARY KEY, record BLOB NOT NULL, delay INTEGER NOT NULL, due_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** How hard a commit is pushed to the disk. */
export type SyncMode = "normal" | "full";

/** Options for SqliteBackend.open. */
export interface SqliteOptions {
  /** "normal" (default): survives a process crash; "full": survives a power loss. */
  synchronous?: SyncMode;
}

/** A SQLite file holding the operation log's state. */
export class SqliteBackend implements StorageBackend {
  private readonly statements: Map<StoreOp["op"], Statement[]>;
  private readonly begin: Statement;
  /** Each session's outbound seqs: filled by load(), or by the first commit when load() was not called. */
  private index: OutboundIndex | null = null;
  private closed = false;

  private constructor(readonly location: string, private readonly db: Database) {
    this.statements = prepareStatements(db);
    this.begin = db.prepare("BEGIN");
  }

  /**
   * Opens or creates the file, checks its integrity and schema version.
   * @throws StorageError naming the file when it cannot be opened, read or written, or is corrupt.
   */
  static async open(path: string, options: SqliteOptions = {}): Promise<SqliteBackend> {
    let db: Database | null = null;
    try {
      db = await openDatabase(path);
      db.exec("PRAGMA busy_timeout = 0");
      const check = db.prepare("PRAGMA quick_check").all();
      const verdict = String(Object.values(check[0] ?? {})[0] ?? "no answer");
      if (verdict !== "ok") throw new Error(`integrity check failed: ${verdict}`);
      const version = Number(Object.values(db.prepare("PRAGMA user_version").all()[0] ?? {})[0] ?? 0);
      if (version > SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this Vireo's (${SCHEMA_VERSION})`);
      // A new file frees pages at close (incremental_vacuum): deleted rows do not keep it large.
      // (It takes effect only before the first table exists, so older files simply keep reusing pages.)
      db.exec("PRAGMA auto_vacuum = INCREMENTAL");
      db.exec("PRAGMA journal_mode = WAL");
      db.exec(`PRAGMA synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
      db.exec(SCHEMA);
      if (version === 1) db.exec(MIGRATE_1_TO_2);
      // Version 3 stores the user a session belongs to (access decisions for it survive a restart).
      if (version === 1 || version === 2) db.exec("ALTER TABLE sessions ADD COLUMN username TEXT");
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      // Messages no entry refers to any more (their last session expired while down): the file
      // keeps only what can still be delivered.
      // Entries of no session (load skips them) would otherwise stay forever: OutboundIndex
      // learns a session's entries from load, and only the owned ones are loaded.
      db.exec("DELETE FROM outbound WHERE client_id NOT IN (SELECT client_id FROM sessions)");
      db.exec("DELETE FROM messages WHERE id NOT IN (SELECT message_id FROM outbound)");
      return new SqliteBackend(path, db);
    } catch (err) {
      try {
        db?.close();
      } catch { /* already failing */ }
      throw new StorageError(`database ${path}: ${describe(err)}`);
    }
  }

  commit(ops: readonly StoreOp[]): void {
    if (this.closed) throw new StorageError(`database ${this.location}: closed`);
    if (ops.length === 0) return;
    const db = this.db;
    const index = this.index ??= this.readIndex();
    this.begin.run();
    try {
      for (const o of ops) applyOp(this.statements, index, o);
      db.exec("COMMIT");
      index.settle();
    } catch (err) {
      index.discard();
      try {
        db.exec("ROLLBACK");
      } catch { /* the transaction may already be gone */ }
      throw new StorageError(`database ${this.location}: write failed: ${describe(err)}`);
    }
  }

  load(): Snapshot {
    try {
      const snap = loadSnapshot(this.db);
      const index = new OutboundIndex();
      for (const s of snap.sessions) for (const r of s.outbound) index.add(r.clientId, r.seq);
      this.index = index;
      return snap;
    } catch (err) {
      throw new StorageError(`database ${this.location}: cannot read: ${describe(err)}`);
    }
  }

  /** The index read from the file, for a backend committing before (or without) a load(). */
  private readIndex(): OutboundIndex {
    const index = new OutboundIndex();
    for (const r of this.db.prepare("SELECT client_id, seq FROM outbound").all()) index.add(String(r.client_id), Number(r.seq));
    return index;
  }

  /** Returns free pages to the file system and folds the WAL back into the file (run at close). */
  checkpoint(): void {
    this.db.prepare("PRAGMA incremental_vacuum").all(); // stepped to the end: one page per step
    this.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.checkpoint();
    } catch { /* best effort: the WAL is replayed at the next open */ }
    this.db.close();
  }
}

/** An error's message without the runtime's prefixes. */
function describe(err: unknown): string {
  const e = err as { message?: string; code?: SqlValue };
  return e?.message ?? String(err);
}
