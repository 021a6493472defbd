/**
 * One broker per data directory: a lock file holding the owner's pid, created exclusively. A lock
 * whose pid is no longer running (the owner was killed) is stale and taken over; a live one makes
 * the second broker refuse with the directory and the holder's pid, instead of two brokers
 * writing one database.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { StorageError } from "./types.ts";

/** The lock file's name inside the data directory. */
export const LOCK_FILE = "vireo.lock";

/** Lock files this process holds (a second broker in the same process must refuse too). */
const heldHere = new Set<string>();

/** A held lock; release() removes the file (idempotent). */
export interface DirectoryLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the lock of `dir` for this process.
 * @throws StorageError when another live process holds it or the directory is not writable.
 */
export function lockDirectory(dir: string): DirectoryLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== "EEXIST") throw new StorageError(`data directory ${dir}: cannot create ${LOCK_FILE}: ${(err as Error).message}`);
      const holder = readHolder(path);
      const ours = holder === process.pid;
      if (holder !== null && (ours ? heldHere.has(path) : alive(holder))) {
        throw new StorageError(`data directory ${dir} is in use by another broker (pid ${holder})`);
      }
      try {
        unlinkSync(path); // stale: its owner is gone
      } catch { /* someone else took it over: the next attempt says who */ }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    let held = true;
    heldHere.add(path);
    return {
      path,
      release() {
        if (!held) return;
        held = false;
        heldHere.delete(path);
        if (readHolder(path) === process.pid) {
          try {
            unlinkSync(path);
          } catch { /* already gone */ }
        }
      },
    };
  }
  throw new StorageError(`data directory ${dir}: cannot take ${LOCK_FILE} (another broker is starting?)`);
}

function readHolder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether process `pid` exists (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
