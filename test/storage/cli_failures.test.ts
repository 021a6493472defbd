// The CLI on a data directory it cannot use: held by a running broker, a corrupt database, a
// read-only directory, a full disk. Each is one clear line on stderr naming the directory or
// file and exit 2 (or, for a disk that fills while running, acks held back and nothing
// acknowledged lost).
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { sleep } from "../helpers/broker.ts";
import { connectPacket, RawClient } from "../helpers/raw.ts";
import { startCli } from "./cli_process.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "vireo-fail-"));
}

/** The broker's own lines on stderr (the runtime may add none; we assert on ours). */
function vireoLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("vireo: "));
}

test("a second broker on a data directory in use refuses: one line naming it and the holder's pid, exit 2", async () => {
  const dir = tempDir();
  const first = startCli(dir);
  try {
    await first.ready;
    const second = startCli(dir);
    assert.equal(await second.exited, 2);
    assert.deepEqual(vireoLines(second.stderr()), [`vireo: data directory ${dir} is in use by another broker (pid ${first.pid})`]);
  } finally {
    first.kill("SIGTERM");
    await first.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a corrupt database is one error naming the file and exit 2, and the file is left as it was", async () => {
  const dir = tempDir();
  try {
    const file = join(dir, "vireo.db");
    const junk = "not a database at all\n".repeat(500);
    writeFileSync(file, junk);
    const b = startCli(dir);
    assert.equal(await b.exited, 2);
    const lines = vireoLines(b.stderr());
    assert.equal(lines.length, 1, b.stderr());
    assert.ok(lines[0].startsWith(`vireo: database ${file}: `), lines[0]);
    assert.equal(readFileSync(file, "utf8"), junk);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a read-only data directory is one error naming it and exit 2; its database is untouched", async () => {
  const dir = tempDir();
  try {
    // A database with one retained message, made by a broker that could write.
    const b = startCli(dir);
    const port = await b.ready;
    const c = await RawClient.open(port, 4);
    c.sendPacket(connectPacket("w", 4), 4);
    await c.next("connack");
    c.sendPacket({ cmd: "publish", topic: "keep", payload: "me", qos: 1, messageId: 1, retain: true }, 4);
    await c.next("puback");
    c.destroy();
    b.kill("SIGTERM");
    assert.equal(await b.exited, 0);
    const before = readFileSync(join(dir, "vireo.db"));
    chmodSync(dir, 0o555);
    // root ignores permissions: run the broker as nobody then (its runtime cache must be its own).
    const root = process.getuid?.() === 0;
    const home = tempDir();
    if (root) chownSync(home, 65534, 65534);
    const ro = startCli(dir, [], root
      ? (argv) => ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", `HOME=${home}`, `DENO_DIR=${home}/deno`, ...argv]
      : undefined);
    assert.equal(await ro.exited, 2, ro.stderr());
    const lines = vireoLines(ro.stderr());
    assert.equal(lines.length, 1, ro.stderr());
    assert.ok(lines[0].startsWith(`vireo: data directory ${dir}: `), lines[0]);
    assert.deepEqual(readFileSync(join(dir, "vireo.db")), before);
    rmSync(home, { recursive: true, force: true });
  } finally {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a full disk (file size limit): acks are held, nothing acknowledged is lost, the broker keeps running", async () => {
  const dir = tempDir();
  try {
    // 600 KiB per file: the database and its WAL fill up after a few hundred 1 KiB retained messages.
    const limited = (argv: string[]) => ["sh", "-c", `ulimit -f 1200; trap '' XFSZ; exec "$@"`, "sh", ...argv];
    const b = startCli(dir, [], limited);
    const port = await b.ready;
    const c = await RawClient.open(port, 4);
    c.sendPacket(connectPacket("filler", 4), 4);
    await c.next("connack");
    const payload = "x".repeat(1024);
    const acked = new Set<number>();
    let n = 0;
    for (; n < 3000; n++) {
      c.sendPacket({ cmd: "publish", topic: `f/${n + 1}`, payload, qos: 1, messageId: n + 1, retain: true }, 4);
      if (n % 50 === 49) {
        await sleep(30);
        for (const p of c.packets.splice(0)) if (p.cmd === "puback") acked.add(p.messageId);
        if (acked.size < n - 200) break; // acks stopped: the disk is full
      }
    }
    await sleep(300);
    for (const p of c.packets.splice(0)) if (p.cmd === "puback") acked.add(p.messageId);
    assert.ok(acked.size > 0 && acked.size < n, `some acked before the disk filled, not all (${acked.size} of ${n})`);
    assert.match(b.stderr(), /storage: commit failed .*acknowledgements held/);
    c.destroy();
    b.kill("SIGKILL");
    await b.exited;
    // Without the limit: every acknowledged message is there.
    const again = startCli(dir);
    const port2 = await again.ready;
    const check = await RawClient.open(port2, 4);
    check.sendPacket(connectPacket("check", 4), 4);
    await check.next("connack");
    check.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "f/#", qos: 0 }] }, 4);
    await check.next("suback");
    const deadline = Date.now() + 5000;
    while (check.packets.filter((p) => p.cmd === "publish").length < acked.size && Date.now() < deadline) await sleep(20);
    const have = new Set(check.packets.filter((p) => p.cmd === "publish").map((p) => p.topic));
    const lost = [...acked].filter((id) => !have.has(`f/${id}`));
    console.log(`full disk: ${n} sent, ${acked.size} acknowledged before the limit, ${lost.length} lost`);
    assert.deepEqual(lost, []);
    check.destroy();
    again.kill("SIGTERM");
    assert.equal(await again.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
