/**
 * Opens the storage a configuration asks for: a data directory (created if missing, locked for
 * this process) with the SQLite file inside it.
 */
import { mkdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { lockDirectory } from "./lock.ts";
import { SqliteBackend, type SyncMode } from "./sqlite.ts";
import { type StorageBackend, StorageError } from "./types.ts";

/** Where and how to persist. */
export interface DataDirOptions {
  /** The data directory. */
  dir: string;
  /** Database file name inside it (or an absolute path). Default "vireo.db". */
  file?: string;
  /** Default "normal". */
  synchronous?: SyncMode;
}

/** Default database file name (Mosquitto's is mosquitto.db; the formats differ). */
export const DEFAULT_DB_FILE = "vireo.db";

/**
 * Locks `dir` and opens its database; the returned backend's close() releases both.
 * @throws StorageError naming the directory or file.
 */
export async function openDataDir(o: DataDirOptions): Promise<StorageBackend> {
  try {
    mkdirSync(o.dir, { recursive: true });
  } catch (err) {
    throw new StorageError(`data directory ${o.dir}: cannot create: ${(err as Error).message}`);
  }
  const lock = lockDirectory(o.dir);
  const file = o.file ?? DEFAULT_DB_FILE;
  let backend: SqliteBackend;
  try {
    backend = await SqliteBackend.open(isAbsolute(file) ? file : join(o.dir, file), { synchronous: o.synchronous });
  } catch (err) {
    lock.release();
    throw err;
  }
  const close = backend.close.bind(backend);
  backend.close = () => {
    try {
      close();
    } finally {
      lock.release();
    }
  };
  return backend;
}
