/**
 * Grows the process's file descriptor table once, before connections arrive.
 *
 * Linux sizes a process's descriptor table in powers of two and doubles it when a new descriptor
 * does not fit (fs/file.c, expand_fdtable). In a multi-threaded process — Bun and Deno both run GC,
 * JIT and I/O threads — every doubling waits for an RCU grace period (synchronize_rcu) with the
 * accepting thread blocked: strace on a bare Bun.listen server showed 10–17 ms stalls right after
 * accept() returned descriptors 1024, 2048, 4096 and 8192, during which the whole connection storm
 * waits (single-threaded Mosquitto never pays it). The table never shrinks, so growing it once at
 * listen() moves that cost to startup: open /dev/null until the highest descriptor reaches half
 * the target (the kernel rounds the table up to the next power of two), then close them all.
 *
 * Best effort and once per process: stops quietly at the descriptor limit (RLIMIT_NOFILE) or when
 * the runtime may not open files (Deno without --allow-read); skipped on other systems.
 */
import { closeSync, openSync } from "node:fs";
import process from "node:process";

/** Default descriptor table size to reserve (the kernel's table then holds 16384 descriptors). */
export const RESERVED_DESCRIPTORS = 16_384;

/** Largest table reserved at startup, whatever is asked: opening more would slow startup. */
const MAX_RESERVED = 65_536;

/** Table size reserved so far in this process. */
let reserved = 0;

/**
 * Makes sure the descriptor table holds at least `count` descriptors (capped at 65536) without
 * growing during accepts. Returns the highest descriptor reached (0 when skipped).
 */
export function reserveDescriptorTable(count: number = RESERVED_DESCRIPTORS): number {
  const target = Math.min(count, MAX_RESERVED);
  if (process.platform !== "linux" || target <= reserved || !mayOpenDevNull()) return 0;
  reserved = target;
  const fds: number[] = [];
  let highest = 0;
  try {
    while (highest < target >> 1) {
      highest = openSync("/dev/null", "r");
      fds.push(highest);
    }
  } catch {
    // EMFILE (the table cannot grow past the limit anyway) or no permission: keep what we got.
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  return highest;
}

/** False on Deno without read permission for /dev/null (asking would prompt on a terminal). */
function mayOpenDevNull(): boolean {
  const deno = (globalThis as {
    Deno?: { permissions?: { querySync?(d: { name: "read"; path: string }): { state: string } } };
  }).Deno;
  const query = deno?.permissions?.querySync;
  if (query === undefined) return true;
  try {
    return query.call(deno!.permissions, { name: "read", path: "/dev/null" }).state === "granted";
  } catch {
    return false;
  }
}
