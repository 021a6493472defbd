// kill -9 with offline persistent subscribers (one QoS 1, one QoS 2): a publisher sends numbered
// QoS 2 messages, the broker is SIGKILLed at random points and restarted, and at the end every
// message whose PUBCOMP the publisher received reaches both subscribers; the QoS 2 subscriber
// gets each message exactly once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "../helpers/broker.ts";
import { connectPacket, RawClient } from "../helpers/raw.ts";
import { startCli } from "./cli_process.ts";

const ROUNDS = 3;
const WINDOW = 32;
const CONFIG = { maxQueuedMessages: 1_000_000 };

/** QoS 2 publishes (numbered from `base`) until the broker dies; returns the numbers whose PUBCOMP came. */
async function publish(port: number, base: number, killAfterMs: number, kill: () => void): Promise<Set<number>> {
  const c = await RawClient.open(port, 4);
  c.sendPacket(connectPacket(`pub-${base}`, 4), 4);
  await c.next("connack");
  const done = new Set<number>();
  let next = 1, open = 0, killed = false;
  const started = Date.now();
  while (!c.closed && Date.now() - started < 10_000) {
    for (const p of c.packets.splice(0)) {
      if (p.cmd === "pubrec") c.sendPacket({ cmd: "pubrel", messageId: p.messageId }, 4);
      else if (p.cmd === "pubcomp") {
        done.add(base + p.messageId);
        open--;
      }
    }
    while (open < WINDOW && !killed && next < 65535) {
      const id = next++;
      c.sendPacket({ cmd: "publish", topic: `n/${base + id}`, payload: String(base + id), qos: 2, messageId: id }, 4);
      open++;
    }
    if (!killed && Date.now() - started >= killAfterMs) {
      killed = true;
      kill();
    }
    await sleep(1);
  }
  c.destroy();
  return done;
}

/** Connects a persistent subscriber and takes everything it is owed, acknowledging it; returns the numbers received (with repeats). */
async function drain(port: number, id: string, qos: 1 | 2, want: Set<number>): Promise<number[]> {
  const c = await RawClient.open(port, 4);
  c.sendPacket(connectPacket(id, 4, { clean: false }), 4);
  assert.equal((await c.next("connack")).sessionPresent, true);
  const got: number[] = [];
  let quiet = 0;
  while (quiet < 50) { // until 500 ms pass with nothing new
    const batch = c.packets.splice(0);
    quiet = batch.length === 0 ? quiet + 1 : 0;
    for (const p of batch) {
      if (p.cmd === "publish") {
        if (qos === 1) c.sendPacket({ cmd: "puback", messageId: p.messageId }, 4);
        else c.sendPacket({ cmd: "pubrec", messageId: p.messageId }, 4);
        got.push(Number(String(p.payload)));
      } else if (p.cmd === "pubrel") c.sendPacket({ cmd: "pubcomp", messageId: p.messageId }, 4);
    }
    if (quiet > 0 && [...want].every((n) => got.includes(n)) && quiet >= 20) break;
    await sleep(10);
  }
  c.destroy();
  return got;
}

test("kill -9 at random points: QoS 1 and QoS 2 offline subscribers get every completed message, QoS 2 exactly once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-kill9q-"));
  try {
    let b = startCli(dir, [], undefined, CONFIG);
    let port = await b.ready;
    for (const [id, qos] of [["s1", 1], ["s2", 2]] as const) {
      const s = await RawClient.open(port, 4);
      s.sendPacket(connectPacket(id, 4, { clean: false }), 4);
      await s.next("connack");
      s.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "n/#", qos }] }, 4);
      await s.next("suback");
      s.destroy();
    }
    await sleep(50);
    const completed = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      const done = await publish(port, round * 100_000, 150 + Math.floor(Math.random() * 400), () => b.kill("SIGKILL"));
      for (const n of done) completed.add(n);
      assert.equal(await b.exited, null);
      b = startCli(dir, [], undefined, CONFIG);
      port = await b.ready;
    }
    const q1 = await drain(port, "s1", 1, completed);
    const q2 = await drain(port, "s2", 2, completed);
    const lost1 = [...completed].filter((n) => !q1.includes(n)).length;
    const lost2 = [...completed].filter((n) => !q2.includes(n)).length;
    const dup2 = q2.length - new Set(q2).size;
    console.log(`kill -9 QoS: ${ROUNDS} kills, ${completed.size} messages completed (PUBCOMP), QoS 1 subscriber got ${q1.length} ` +
      `(${lost1} lost), QoS 2 subscriber got ${q2.length} (${lost2} lost, ${dup2} duplicates)`);
    assert.ok(completed.size > 0);
    assert.equal(lost1, 0);
    assert.equal(lost2, 0);
    assert.equal(dup2, 0);
    b.kill("SIGTERM");
    assert.equal(await b.exited, 0, b.stderr());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
