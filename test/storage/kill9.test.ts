// kill -9 against a real broker process on a data directory: every retained message whose PUBACK
// the publisher received is back after the restart, and so are the persistent session and its
// subscription. Several rounds, each killed at a random point while a publisher keeps a window
// of QoS 1 retained messages in flight.
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

/** Publishes numbered retained QoS 1 messages (window WINDOW) until the connection dies; returns the acked numbers. */
async function publishUntilKilled(port: number, round: number, killAfterMs: number, kill: () => void): Promise<Set<number>> {
  const c = await RawClient.open(port, 4);
  c.sendPacket(connectPacket(`pub${round}`, 4), 4);
  await c.next("connack");
  const acked = new Set<number>();
  let next = 1, inflight = 0;
  const started = Date.now();
  let killed = false;
  while (!c.closed && Date.now() - started < 10_000) {
    for (let i = c.packets.length - 1; i >= 0; i--) {
      const p = c.packets[i];
      if (p.cmd === "puback") {
        acked.add(p.messageId);
        inflight--;
        c.packets.splice(i, 1);
      }
    }
    while (inflight < WINDOW && !killed) {
      const n = next++;
      if (n > 65535) break; // one packet id per message keeps the ack bookkeeping exact; a round sends far fewer
      c.sendPacket({ cmd: "publish", topic: `k/${round}/${n}`, payload: `m${n}`, qos: 1, messageId: n, retain: true }, 4);
      inflight++;
    }
    if (!killed && Date.now() - started >= killAfterMs) {
      killed = true;
      kill();
    }
    await sleep(1);
  }
  c.destroy();
  return acked;
}

test("kill -9 at random points: every acknowledged retained message and the persistent session survive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-kill9-"));
  const ackedByRound: Set<number>[] = [];
  try {
    let b = startCli(dir);
    let port = await b.ready;
    const sub = await RawClient.open(port, 4);
    sub.sendPacket(connectPacket("keeper", 4, { clean: false }), 4);
    await sub.next("connack");
    sub.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "live/#", qos: 1 }] }, 4);
    await sub.next("suback");
    sub.destroy();
    for (let round = 0; round < ROUNDS; round++) {
      const killAfter = 150 + Math.floor(Math.random() * 400);
      ackedByRound.push(await publishUntilKilled(port, round, killAfter, () => b.kill("SIGKILL")));
      assert.equal(await b.exited, null); // killed, not exited
      b = startCli(dir); // the stale lock of the killed broker is taken over
      port = await b.ready;
    }
    // Everything acknowledged is retained.
    const check = await RawClient.open(port, 4);
    check.sendPacket(connectPacket("check", 4), 4);
    await check.next("connack");
    check.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "k/#", qos: 0 }] }, 4);
    await check.next("suback");
    const want = ackedByRound.reduce((n, s) => n + s.size, 0);
    const deadline = Date.now() + 5000;
    while (check.packets.filter((p) => p.cmd === "publish").length < want && Date.now() < deadline) await sleep(20);
    const have = new Map<string, string>();
    for (const p of check.packets) if (p.cmd === "publish") have.set(p.topic, String(p.payload));
    let lost = 0;
    ackedByRound.forEach((acked, round) => {
      for (const n of acked) if (have.get(`k/${round}/${n}`) !== `m${n}`) lost++;
    });
    console.log(`kill -9: ${ROUNDS} rounds, ${want} retained messages acknowledged (${ackedByRound.map((s) => s.size).join(", ")}), ${lost} lost`);
    assert.ok(want > 0, "the publisher got acks before the kills");
    assert.equal(lost, 0);
    check.destroy();
    // The persistent session and its subscription are back: it gets a live QoS 1 message.
    const keeper = await RawClient.open(port, 4);
    keeper.sendPacket(connectPacket("keeper", 4, { clean: false }), 4);
    assert.equal((await keeper.next("connack")).sessionPresent, true);
    const pub = await RawClient.open(port, 4);
    pub.sendPacket(connectPacket("p", 4), 4);
    await pub.next("connack");
    pub.sendPacket({ cmd: "publish", topic: "live/x", payload: "hi", qos: 1, messageId: 1 }, 4);
    assert.equal((await keeper.next("publish")).topic, "live/x");
    keeper.destroy();
    pub.destroy();
    b.kill("SIGTERM");
    assert.equal(await b.exited, 0, b.stderr());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
