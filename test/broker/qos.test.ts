// QoS 0/1/2 in both directions: downgrade to the granted QoS, PUBREC/PUBREL/PUBCOMP state,
// exactly-once inbound, Receive Maximum both ways, the inflight window and ordered queueing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

async function rawSession(w: World, id: string, level: number, extra: Record<string, unknown> = {}): Promise<RawClient> {
  const c = await w.raw.open(level);
  c.sendPacket(connectPacket(id, level, extra), level);
  await c.next("connack");
  return c;
}

async function rawSubscribe(c: RawClient, topic: string, qos: number, level: number): Promise<void> {
  c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos }] }, level);
  await c.next("suback");
}

test("deliveries are downgraded to the subscription's granted QoS [MQTT-3.8.4-8]", () =>
  withBroker({}, async (w) => {
    const s0 = await w.pool.connect({ clientId: "s0" });
    const s1 = await w.pool.connect({ clientId: "s1" });
    const s2 = await w.pool.connect({ clientId: "s2" });
    const [g0, g1, g2] = [collect(s0), collect(s1), collect(s2)];
    await subscribe(s0, "d/t", { qos: 0 });
    await subscribe(s1, "d/t", { qos: 1 });
    await subscribe(s2, "d/t", { qos: 2 });
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("d/t", "x", { qos: 2 });
    await pub.publishAsync("d/t", "y", { qos: 1 });
    await Promise.all([g0.waitFor(2), g1.waitFor(2), g2.waitFor(2)]);
    assert.deepEqual(g0.map((m) => m.qos), [0, 0]);
    assert.deepEqual(g1.map((m) => m.qos), [1, 1]);
    assert.deepEqual(g2.map((m) => m.qos), [2, 1]);
  }));

for (const protocolVersion of [4, 5] as const) {
  test(`v${protocolVersion}: QoS 2 end to end with MQTT.js delivers exactly once`, () =>
    withBroker({}, async (w) => {
      const sub = await w.pool.connect({ clientId: "s", protocolVersion });
      const got = collect(sub);
      await subscribe(sub, "q2", { qos: 2 });
      const pub = await w.pool.connect({ clientId: "p", protocolVersion });
      for (let i = 0; i < 5; i++) await pub.publishAsync("q2", `m${i}`, { qos: 2 });
      await got.waitFor(5);
      await sleep(100);
      assert.deepEqual(got.map((m) => `${m.payload}:${m.qos}`), ["m0:2", "m1:2", "m2:2", "m3:2", "m4:2"]);
      assert.equal(w.b.broker.core.sessions.get("s")!.inflight.size, 0);
    }));
}

test("exactly-once inbound: a QoS 2 PUBLISH re-sent before PUBREL is acknowledged but not delivered twice", () =>
  withBroker({}, async (w) => {
    const sub = await w.pool.connect({ clientId: "s" });
    const got = collect(sub);
    await subscribe(sub, "once", { qos: 2 });
    const p = await rawSession(w, "p", 4);
    p.sendPacket({ cmd: "publish", topic: "once", payload: "a", qos: 2, messageId: 7, dup: false, retain: false });
    assert.equal((await p.next("pubrec")).messageId, 7);
    p.sendPacket({ cmd: "publish", topic: "once", payload: "a", qos: 2, messageId: 7, dup: true, retain: false });
    assert.equal((await p.next("pubrec")).messageId, 7);
    p.sendPacket({ cmd: "pubrel", messageId: 7 });
    assert.equal((await p.next("pubcomp")).messageId, 7);
    await got.waitFor(1);
    await sleep(100);
    assert.equal(got.length, 1);
    // After PUBREL the id is free again: a new message with it is a new delivery.
    p.sendPacket({ cmd: "publish", topic: "once", payload: "b", qos: 2, messageId: 7, dup: false, retain: false });
    await p.next("pubrec");
    await got.waitFor(2);
    assert.equal(got[1].payload, "b");
  }));

test("v5: PUBREL for an unknown packet id gets PUBCOMP 0x92", () =>
  withBroker({}, async (w) => {
    const p = await rawSession(w, "p", 5);
    p.sendPacket({ cmd: "pubrel", messageId: 99 }, 5);
    const comp = await p.next("pubcomp");
    assert.equal(comp.messageId, 99);
    assert.equal(comp.reasonCode, 0x92);
  }));

test("outbound QoS 2: PUBREC → PUBREL, PUBCOMP frees the packet id", () =>
  withBroker({}, async (w) => {
    const s = await rawSession(w, "s", 4);
    await rawSubscribe(s, "o2", 2, 4);
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("o2", "z", { qos: 2 });
    const msg = await s.next("publish");
    assert.equal(msg.qos, 2);
    s.sendPacket({ cmd: "pubrec", messageId: msg.messageId });
    assert.equal((await s.next("pubrel")).messageId, msg.messageId);
    const session = w.b.broker.core.sessions.get("s")!;
    assert.equal(session.inflight.size, 1);
    s.sendPacket({ cmd: "pubcomp", messageId: msg.messageId });
    await sleep(50);
    assert.equal(session.inflight.size, 0);
  }));

test("v5: the client's Receive Maximum limits our inflight window; the rest follows in order [MQTT-3.3.4-7]", () =>
  withBroker({}, async (w) => {
    const s = await rawSession(w, "s", 5, { properties: { receiveMaximum: 2 } });
    await rawSubscribe(s, "rm", 1, 5);
    const pub = await w.pool.connect({ clientId: "p", protocolVersion: 5 });
    for (let i = 0; i < 5; i++) await pub.publishAsync("rm", `m${i}`, { qos: 1 });
    await sleep(100);
    const first = s.packets.filter((p) => p.cmd === "publish");
    assert.deepEqual(first.map((p) => String(p.payload)), ["m0", "m1"]);
    const seen: string[] = [];
    for (let k = 0; k < 5; k++) {
      const m = await s.next("publish");
      seen.push(String(m.payload));
      s.sendPacket({ cmd: "puback", messageId: m.messageId }, 5);
    }
    assert.deepEqual(seen, ["m0", "m1", "m2", "m3", "m4"]);
  }));

test("3.1.1: beyond config.maxInflight messages queue and go out in order as acks arrive", () =>
  withBroker({ maxInflight: 1 }, async (w) => {
    const s = await rawSession(w, "s", 4);
    await rawSubscribe(s, "win", 1, 4);
    const pub = await w.pool.connect({ clientId: "p" });
    for (let i = 0; i < 4; i++) await pub.publishAsync("win", `m${i}`, { qos: 1 });
    await sleep(100);
    assert.equal(s.packets.filter((p) => p.cmd === "publish").length, 1);
    assert.equal(w.b.broker.core.sessions.get("s")!.queue.length, 3);
    const seen: string[] = [];
    for (let k = 0; k < 4; k++) {
      const m = await s.next("publish");
      seen.push(String(m.payload));
      s.sendPacket({ cmd: "puback", messageId: m.messageId });
    }
    assert.deepEqual(seen, ["m0", "m1", "m2", "m3"]);
  }));

test("v5: more unacknowledged QoS 2 PUBLISHes than our Receive Maximum → DISCONNECT 0x93 [MQTT-3.3.4-9]", () =>
  withBroker({ receiveMaximum: 2 }, async (w) => {
    const p = await rawSession(w, "p", 5);
    for (let id = 1; id <= 3; id++) p.sendPacket({ cmd: "publish", topic: "x", payload: "y", qos: 2, messageId: id, dup: false, retain: false }, 5);
    assert.equal((await p.next("disconnect")).reasonCode, 0x93);
    assert.ok(await p.waitClosed());
  }));

test("backpressure: over maxBufferedBytes QoS 0 is dropped (counted) and QoS 1 queued, then delivered in order", () =>
  withBroker({ maxBufferedBytes: 40, keepAliveTickMs: 20 }, async (w) => {
    const s = await rawSession(w, "s", 4);
    await rawSubscribe(s, "bp/#", 1, 4);
    const p = await rawSession(w, "p", 4);
    const burst: number[] = [];
    for (let i = 0; i < 10; i++) burst.push(0x30, 0x07, 0x00, 0x04, 0x62, 0x70, 0x2f, 0x30, 0x41 + i); // QoS 0 "bp/0", 9 bytes
    p.send(burst); // one chunk: the subscriber's batch passes 40 bytes within the tick
    await sleep(100);
    assert.ok(w.b.broker.stats.droppedCongested > 0, "some QoS 0 dropped");
    for (let id = 1; id <= 6; id++) p.sendPacket({ cmd: "publish", topic: "bp/1", payload: `m${id}`, qos: 1, messageId: id, dup: false, retain: false });
    const seen: string[] = [];
    for (let k = 0; k < 6; k++) {
      const m = await s.next("publish");
      if (m.qos === 0) { k--; continue; }
      seen.push(String(m.payload));
      s.sendPacket({ cmd: "puback", messageId: m.messageId });
    }
    assert.deepEqual(seen, ["m1", "m2", "m3", "m4", "m5", "m6"]);
  }));
