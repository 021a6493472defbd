// SUBSCRIBE / UNSUBSCRIBE through the WASM topic index: overlapping subscriptions, SUBACK and
// UNSUBACK codes, `$` topics, No Local, shared subscriptions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

async function rawSession(w: World, id: string, level: number): Promise<RawClient> {
  const c = await w.raw.open(level);
  c.sendPacket(connectPacket(id, level), level);
  await c.next("connack");
  return c;
}

/** SUBSCRIBE (raw) and the SUBACK's granted list. */
async function rawSub(c: RawClient, level: number, subscriptions: Array<Record<string, unknown>>, properties?: object) {
  c.sendPacket({ cmd: "subscribe", messageId: 3, subscriptions, properties }, level);
  return (await c.next("suback")).granted as number[];
}

test("v5: overlapping subscriptions deliver one message at the highest QoS with every subscription id [MQTT-3.3.4-3]", () =>
  withBroker({}, async (w) => {
    const s = await rawSession(w, "s", 5);
    await rawSub(s, 5, [{ topic: "a/+", qos: 1 }], { subscriptionIdentifier: 11 });
    await rawSub(s, 5, [{ topic: "a/#", qos: 2 }], { subscriptionIdentifier: 22 });
    const pub = await w.pool.connect({ clientId: "p", protocolVersion: 5 });
    await pub.publishAsync("a/b", "x", { qos: 2 });
    const m = await s.next("publish");
    await sleep(100);
    assert.equal(s.packets.filter((p) => p.cmd === "publish").length, 0, "exactly one copy");
    assert.equal(m.qos, 2);
    const ids = [m.properties.subscriptionIdentifier].flat().sort((x: number, y: number) => x - y);
    assert.deepEqual(ids, [11, 22]);
  }));

test("3.1.1: overlapping subscriptions deliver one message at the highest granted QoS", () =>
  withBroker({}, async (w) => {
    const sub = await w.pool.connect({ clientId: "s" });
    const got = collect(sub);
    await subscribe(sub, "o/+", { qos: 0 });
    await subscribe(sub, "o/#", { qos: 1 });
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("o/x", "v", { qos: 1 });
    await got.waitFor(1);
    await sleep(100);
    assert.deepEqual(got.map((m) => m.qos), [1]);
  }));

test("3.1.1: an invalid filter gets SUBACK 0x80; valid ones in the same SUBSCRIBE are granted [MQTT-3.9.3-1]", () =>
  withBroker({}, async (w) => {
    const s = await rawSession(w, "s", 4);
    assert.deepEqual(await rawSub(s, 4, [{ topic: "ok/+", qos: 1 }, { topic: "a/#/b", qos: 0 }, { topic: "x+", qos: 2 }]), [1, 0x80, 0x80]);
  }));

test("v5: an invalid filter gets 0x8F", () =>
  withBroker({}, async (w) => {
    const s = await rawSession(w, "s", 5);
    assert.deepEqual(await rawSub(s, 5, [{ topic: "bad/#/x", qos: 1 }, { topic: "good", qos: 2 }]), [0x8f, 2]);
  }));

test("v5: disabled features are refused per filter: wildcards 0xA2, shared 0x9E, subscription ids 0xA1", async () => {
  await withBroker({ wildcardSubscriptionAvailable: false, sharedSubscriptionAvailable: false }, async (w) => {
    const s = await rawSession(w, "s", 5);
    assert.deepEqual(await rawSub(s, 5, [{ topic: "w/+", qos: 0 }, { topic: "$share/g/t", qos: 0 }, { topic: "plain", qos: 1 }]), [0xa2, 0x9e, 1]);
  });
  await withBroker({ subscriptionIdentifierAvailable: false }, async (w) => {
    const s = await rawSession(w, "s", 5);
    assert.deepEqual(await rawSub(s, 5, [{ topic: "t", qos: 0 }], { subscriptionIdentifier: 5 }), [0xa1]);
  });
});

test("v5 UNSUBACK: 0x00 for a removed subscription, 0x11 when none existed; delivery stops", () =>
  withBroker({}, async (w) => {
    const s = await rawSession(w, "s", 5);
    await rawSub(s, 5, [{ topic: "u/t", qos: 0 }]);
    s.sendPacket({ cmd: "unsubscribe", messageId: 4, unsubscriptions: ["u/t", "never"] }, 5);
    assert.deepEqual((await s.next("unsuback")).granted, [0x00, 0x11]);
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("u/t", "x", { qos: 1 });
    await sleep(100);
    assert.equal(s.packets.filter((p) => p.cmd === "publish").length, 0);
  }));

test("3.1.1 UNSUBSCRIBE → UNSUBACK and no more deliveries [MQTT-3.10.4-4]", () =>
  withBroker({}, async (w) => {
    const sub = await w.pool.connect({ clientId: "s" });
    const got = collect(sub);
    await subscribe(sub, "v4/t");
    await sub.unsubscribeAsync("v4/t");
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("v4/t", "x", { qos: 1 });
    await sleep(100);
    assert.equal(got.length, 0);
  }));

test("topics starting with $ are not matched by a leading wildcard [MQTT-4.7.2-1]", () =>
  withBroker({}, async (w) => {
    const wild = await w.pool.connect({ clientId: "wild" });
    const exact = await w.pool.connect({ clientId: "exact" });
    const [gw, ge] = [collect(wild), collect(exact)];
    await subscribe(wild, ["#", "+/x"]);
    await subscribe(exact, "$app/#");
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("$app/x", "d", { qos: 1 });
    await pub.publishAsync("app/x", "n", { qos: 1 });
    await ge.waitFor(1);
    await gw.waitFor(1);
    await sleep(100);
    assert.deepEqual(gw.map((m) => m.topic), ["app/x"]);
    assert.deepEqual(ge.map((m) => m.topic), ["$app/x"]);
  }));

test("v5 No Local: a client's own publishes are not sent back to it [MQTT-3.8.3-3]", () =>
  withBroker({}, async (w) => {
    const me = await w.pool.connect({ clientId: "me", protocolVersion: 5 });
    const other = await w.pool.connect({ clientId: "other", protocolVersion: 5 });
    const [gm, go] = [collect(me), collect(other)];
    await subscribe(me, "chat", { qos: 1, nl: true });
    await subscribe(other, "chat", { qos: 1 });
    await me.publishAsync("chat", "hello", { qos: 1 });
    await go.waitFor(1);
    await other.publishAsync("chat", "hi", { qos: 1 });
    await gm.waitFor(1);
    await sleep(100);
    assert.deepEqual(gm.map((m) => m.payload), ["hi"]);
  }));

test("shared subscriptions: one member per group receives each message; groups are independent", () =>
  withBroker({}, async (w) => {
    const members = await Promise.all([1, 2, 3].map((i) => w.pool.connect({ clientId: `m${i}`, protocolVersion: 5 })));
    const solo = await w.pool.connect({ clientId: "solo", protocolVersion: 5 });
    const gots = members.map((m) => collect(m));
    const gs = collect(solo);
    for (const m of members) await subscribe(m, "$share/g1/jobs/+", { qos: 1 });
    await subscribe(solo, "$share/g2/jobs/#", { qos: 1 });
    const pub = await w.pool.connect({ clientId: "p", protocolVersion: 5 });
    for (let i = 0; i < 6; i++) await pub.publishAsync("jobs/x", `j${i}`, { qos: 1 });
    await gs.waitFor(6);
    await sleep(100);
    const counts = gots.map((g) => g.length);
    assert.equal(counts.reduce((a, b) => a + b, 0), 6, `each message once in g1: ${counts}`);
    assert.ok(counts.every((n) => n >= 1), `round robin over members: ${counts}`);
  }));

test("v5: No Local on a shared subscription is a protocol error [MQTT-3.8.3-4]", () =>
  withBroker({}, async (w) => {
    const s = await rawSession(w, "s", 5);
    s.sendPacket({ cmd: "subscribe", messageId: 3, subscriptions: [{ topic: "$share/g/t", qos: 0, nl: true }] }, 5);
    assert.equal((await s.next("disconnect")).reasonCode, 0x82);
  }));
