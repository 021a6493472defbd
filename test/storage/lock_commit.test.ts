// The data-directory lock (one broker per directory) and the group commit (one transaction per
// tick; waiters run after it; a failed group holds its waiters and is retried whole).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCK_FILE, lockDirectory } from "../../src/storage/lock.ts";
import { GroupCommit } from "../../src/storage/group_commit.ts";
import { MemoryBackend } from "../../src/storage/memory.ts";
import { StorageError, type StoreOp } from "../../src/storage/types.ts";

const tick = () => new Promise<void>((r) => setImmediate(r));

test("lock: a live holder makes a second taker refuse, naming the directory and the pid", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-lock-"));
  const holder = spawn("sleep", ["30"], { stdio: "ignore" });
  try {
    writeFileSync(join(dir, LOCK_FILE), `${holder.pid}\n`);
    assert.throws(() => lockDirectory(dir), (err: Error) =>
      err instanceof StorageError && err.message === `data directory ${dir} is in use by another broker (pid ${holder.pid})`);
  } finally {
    holder.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("lock: a stale lock (holder gone) is taken over; release removes it", () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-lock-"));
  try {
    const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(dir, LOCK_FILE), `${dead}\n`);
    const lock = lockDirectory(dir);
    assert.ok(existsSync(lock.path));
    lock.release();
    assert.ok(!existsSync(lock.path));
    lock.release(); // idempotent
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("group commit: one transaction per tick, waiters after it", async () => {
  const b = new MemoryBackend();
  const groups: number[] = [];
  const commit = b.commit.bind(b);
  b.commit = (ops: readonly StoreOp[]) => (groups.push(ops.length), commit(ops));
  const g = new GroupCommit(b, { log: () => {} });
  const order: string[] = [];
  g.afterCommit(() => order.push("nothing pending: at once"));
  for (let i = 0; i < 5; i++) g.push({ op: "retained.delete", topic: Uint8Array.of(97 + i) });
  g.afterCommit(() => order.push(`after ${groups.length} group(s)`));
  assert.deepEqual(groups, []);
  await tick();
  await tick();
  assert.deepEqual(groups, [5]);
  assert.deepEqual(order, ["nothing pending: at once", "after 1 group(s)"]);
});

test("group commit: a failed group keeps its waiters and is retried with what came after", async () => {
  const b = new MemoryBackend();
  let fail = true;
  const seen: number[] = [];
  const commit = b.commit.bind(b);
  b.commit = (ops: readonly StoreOp[]) => {
    if (fail) throw new Error("disk full");
    seen.push(ops.length);
    commit(ops);
  };
  const logs: string[] = [];
  const g = new GroupCommit(b, { log: (m) => logs.push(m), retryMs: 20 });
  let acked = false;
  g.push({ op: "session.put", row: { clientId: "c", expiryInterval: 1, expiresAt: 0, lastSeen: 0 } });
  g.afterCommit(() => (acked = true));
  await tick();
  await tick();
  assert.equal(acked, false);
  assert.ok(g.failing);
  assert.match(logs[0], /commit failed .*acknowledgements held.*disk full/);
  g.push({ op: "inbound.put", clientId: "c", packetId: 1 });
  fail = false;
  for (let i = 0; i < 50 && !acked; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(acked, true);
  assert.deepEqual(seen, [2]);
  assert.deepEqual(b.load().sessions[0].inbound, [1]);
});
