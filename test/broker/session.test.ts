// Sessions: clean session / clean start, the session present flag, persistent 3.1.1 sessions
// (subscriptions kept, QoS 1/2 queued offline, bounded), in-order DUP re-send on reconnect, and
// v5 Session Expiry Interval.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

/** Connects raw and returns the client with its CONNACK. */
async function rawConnect(w: World, id: string, level: number, extra: Record<string, unknown> = {}) {
  const c = await w.raw.open(level);
  c.sendPacket(connectPacket(id, level, extra), level);
  const ack = await c.next("connack");
  return { c, ack };
}

async function rawSubscribe(c: RawClient, topic: string, qos: number, level = 4): Promise<void> {
  c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos }] }, level);
  await c.next("suback");
}

test("session present is 0 for a new session, 1 when resumed, 0 after clean session [MQTT-3.2.2-1] [MQTT-3.2.2-2] [MQTT-3.2.2-3]", () =>
  withBroker({}, async (w) => {
    const a = await rawConnect(w, "c", 4, { clean: false });
    assert.equal(a.ack.sessionPresent, false);
    a.c.sendPacket({ cmd: "disconnect" });
    await a.c.waitClosed();
    const b = await rawConnect(w, "c", 4, { clean: false });
    assert.equal(b.ack.sessionPresent, true);
    b.c.sendPacket({ cmd: "disconnect" });
    await b.c.waitClosed();
    const c = await rawConnect(w, "c", 4, { clean: true });
    assert.equal(c.ack.sessionPresent, false);
  }));

test("3.1.1 persistent session: subscriptions kept, QoS 1/2 queued while offline, QoS 0 not", () =>
  withBroker({}, async (w) => {
    const sub = await w.pool.connect({ clientId: "s", clean: false });
    await subscribe(sub, "p/#", { qos: 2 });
    await sub.endAsync();
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("p/1", "a", { qos: 1 });
    await pub.publishAsync("p/0", "b", { qos: 0 });
    await pub.publishAsync("p/2", "c", { qos: 2 });
    assert.equal(w.b.broker.stats.droppedOffline, 1);
    const back = await w.raw.open(4);
    back.sendPacket(connectPacket("s", 4, { clean: false }));
    assert.equal((await back.next("connack")).sessionPresent, true);
    const m1 = await back.next("publish");
    const m2 = await back.next("publish");
    assert.deepEqual([String(m1.payload), m1.qos, String(m2.payload), m2.qos], ["a", 1, "c", 2]);
  }));

test("the offline queue is bounded by maxQueuedMessages; drops are counted and logged", async () => {
  const logs: string[] = [];
  await withBroker({ maxQueuedMessages: 2, log: (m) => logs.push(m) }, async (w) => {
    const sub = await w.pool.connect({ clientId: "s", clean: false });
    await subscribe(sub, "b", { qos: 1 });
    await sub.endAsync();
    const pub = await w.pool.connect({ clientId: "p" });
    for (let i = 0; i < 4; i++) await pub.publishAsync("b", `m${i}`, { qos: 1 });
    assert.equal(w.b.broker.stats.droppedQueueFull, 2);
    assert.ok(logs.some((l) => l.includes("queue full")), logs.join("\n"));
    const again = await rawConnect(w, "s", 4, { clean: false });
    const got = [await again.c.next("publish"), await again.c.next("publish")];
    await sleep(100);
    assert.deepEqual(got.map((m) => String(m.payload)), ["m0", "m1"]);
    assert.equal(again.c.packets.length, 0);
  });
});

test("unacknowledged messages are re-sent with DUP=1, in order, when the session resumes [MQTT-4.4.0-1] [MQTT-3.3.1-1]", () =>
  withBroker({}, async (w) => {
    const first = await rawConnect(w, "s", 4, { clean: false });
    await rawSubscribe(first.c, "r", 2);
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("r", "a", { qos: 1 });
    await pub.publishAsync("r", "b", { qos: 2 });
    await pub.publishAsync("r", "c", { qos: 1 });
    const sent = [await first.c.next("publish"), await first.c.next("publish"), await first.c.next("publish")];
    first.c.sendPacket({ cmd: "pubrec", messageId: sent[1].messageId }); // b: PUBREC'd, PUBCOMP outstanding
    await first.c.next("pubrel");
    first.c.destroy();
    await sleep(50);
    const again = await rawConnect(w, "s", 4, { clean: false });
    assert.equal(again.ack.sessionPresent, true);
    await sleep(100);
    const resent = again.c.packets.map((p) => [p.cmd, p.messageId, p.cmd === "publish" ? p.dup : null, p.payload ? String(p.payload) : null]);
    assert.deepEqual(resent, [
      ["publish", sent[0].messageId, true, "a"],
      ["pubrel", sent[1].messageId, null, null],
      ["publish", sent[2].messageId, true, "c"],
    ]);
  }));

test("a clean-session reconnect discards the old subscriptions", () =>
  withBroker({}, async (w) => {
    const sub = await w.pool.connect({ clientId: "s", clean: false });
    await subscribe(sub, "gone", { qos: 1 });
    await sub.endAsync();
    const fresh = await w.pool.connect({ clientId: "s", clean: true });
    const got = collect(fresh);
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("gone", "x", { qos: 1 });
    await sleep(100);
    assert.equal(got.length, 0);
  }));

test("v5 Session Expiry 0 ends the session with the connection", () =>
  withBroker({}, async (w) => {
    const a = await rawConnect(w, "e0", 5, { clean: false });
    a.c.sendPacket({ cmd: "disconnect" }, 5);
    await a.c.waitClosed();
    const b = await rawConnect(w, "e0", 5, { clean: false });
    assert.equal(b.ack.sessionPresent, false);
  }));

test("v5 Session Expiry: resumed within the interval, gone after it", () =>
  withBroker({}, async (w) => {
    const props = { properties: { sessionExpiryInterval: 1 }, clean: false };
    const a = await rawConnect(w, "e1", 5, props);
    a.c.destroy();
    await sleep(200);
    const b = await rawConnect(w, "e1", 5, props);
    assert.equal(b.ack.sessionPresent, true);
    b.c.destroy();
    await sleep(1600);
    assert.equal(w.b.broker.core.sessions.get("e1"), undefined);
    const c = await rawConnect(w, "e1", 5, props);
    assert.equal(c.ack.sessionPresent, false);
  }));

test("v5 DISCONNECT may not raise a Session Expiry of 0 [MQTT-3.14.2-2]", () =>
  withBroker({}, async (w) => {
    const a = await rawConnect(w, "z", 5);
    a.c.sendPacket({ cmd: "disconnect", reasonCode: 0, properties: { sessionExpiryInterval: 60 } }, 5);
    assert.equal((await a.c.next("disconnect")).reasonCode, 0x82);
  }));
