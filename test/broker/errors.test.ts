// Malformed and forbidden packets: v5 DISCONNECT with the decoder's reason code, 3.1.1 close, the
// will published, other clients undisturbed; Maximum Packet Size; v5 inbound Topic Aliases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
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

/** PUBLISH QoS 3 (flags 0b0110): malformed [MQTT-3.3.1-4]. */
const QOS3_PUBLISH = [0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01];

test("v5: a malformed packet gets DISCONNECT 0x81 and a close; other clients carry on", () =>
  withBroker({}, async (w) => {
    const sub = await w.pool.connect({ clientId: "bystander-sub" });
    const got = collect(sub);
    await subscribe(sub, "ok");
    const bad = await rawSession(w, "bad", 5);
    bad.send(QOS3_PUBLISH);
    assert.equal((await bad.next("disconnect")).reasonCode, 0x81);
    assert.ok(await bad.waitClosed());
    const pub = await w.pool.connect({ clientId: "bystander-pub" });
    await pub.publishAsync("ok", "still", { qos: 1 });
    await got.waitFor(1);
    assert.equal(w.b.broker.stats.protocolErrors, 1);
  }));

test("3.1.1: a malformed packet closes the connection and publishes the will [MQTT-4.8.0-1]", () =>
  withBroker({}, async (w) => {
    const mon = await w.pool.connect({ clientId: "mon" });
    const got = collect(mon);
    await subscribe(mon, "will/t", { qos: 1 });
    const bad = await rawSession(w, "bad", 4, { will: { topic: "will/t", payload: Buffer.from("w"), qos: 0, retain: false } });
    bad.send([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x03]); // SUBSCRIBE with requested QoS 3 [MQTT-3.8.3-4]
    assert.ok(await bad.waitClosed());
    assert.equal(bad.packets.length, 0, "3.1.1 has no DISCONNECT from the server");
    await got.waitFor(1);
  }));

test("a packet larger than maxPacketSize → DISCONNECT 0x95 (v5)", () =>
  withBroker({ maxPacketSize: 100 }, async (w) => {
    const c = await rawSession(w, "big", 5);
    c.sendPacket({ cmd: "publish", topic: "t", payload: Buffer.alloc(200, 1), qos: 0, retain: false, dup: false }, 5);
    assert.equal((await c.next("disconnect")).reasonCode, 0x95);
    assert.ok(await c.waitClosed());
  }));

test("the client's Maximum Packet Size: larger messages are not sent to it [MQTT-3.1.2-25]", () =>
  withBroker({}, async (w) => {
    const small = await rawSession(w, "small", 5, { properties: { maximumPacketSize: 64 } });
    small.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "m", qos: 1 }] }, 5);
    await small.next("suback");
    const pub = await w.pool.connect({ clientId: "p", protocolVersion: 5 });
    await pub.publishAsync("m", Buffer.alloc(100, 2), { qos: 1 });
    await pub.publishAsync("m", "fits", { qos: 1 });
    const m = await small.next("publish");
    assert.equal(String(m.payload), "fits");
    assert.equal(w.b.broker.stats.droppedTooLarge, 1);
  }));

test("v5 Topic Alias: set with a topic, then used with an empty topic; subscribers see the full topic", () =>
  withBroker({ topicAliasMaximum: 5 }, async (w) => {
    const s5 = await rawSession(w, "s5", 5);
    s5.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "alias/#", qos: 0 }] }, 5);
    await s5.next("suback");
    const s4 = await w.pool.connect({ clientId: "s4" });
    const got4 = collect(s4);
    await subscribe(s4, "alias/#");
    const p = await rawSession(w, "p", 5);
    p.sendPacket({ cmd: "publish", topic: "alias/long/topic", payload: "1", qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } }, 5);
    p.sendPacket({ cmd: "publish", topic: "", payload: "2", qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } }, 5);
    const a = await s5.next("publish"), b = await s5.next("publish");
    assert.deepEqual([a.topic, String(a.payload), b.topic, String(b.payload)], ["alias/long/topic", "1", "alias/long/topic", "2"]);
    assert.equal(a.properties?.topicAlias, undefined, "the publisher's alias is not forwarded");
    assert.equal(b.properties?.topicAlias, undefined);
    await got4.waitFor(2);
    assert.deepEqual(got4.map((m) => m.topic), ["alias/long/topic", "alias/long/topic"]);
  }));

test("v5 Topic Alias above the maximum → DISCONNECT 0x94 [MQTT-3.3.2-8]", () =>
  withBroker({ topicAliasMaximum: 2 }, async (w) => {
    const p = await rawSession(w, "p", 5);
    p.sendPacket({ cmd: "publish", topic: "t", payload: "x", qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } }, 5);
    assert.equal((await p.next("disconnect")).reasonCode, 0x94);
  }));

test("v5 Topic Alias 0 → DISCONNECT 0x94", () =>
  withBroker({}, async (w) => {
    const p = await rawSession(w, "p", 5);
    p.send([0x30, 0x07, 0x00, 0x01, 0x61, 0x03, 0x23, 0x00, 0x00]); // PUBLISH "a", Topic Alias 0
    assert.equal((await p.next("disconnect")).reasonCode, 0x94);
  }));

test("v5: an empty topic with an alias never set → DISCONNECT 0x82", () =>
  withBroker({}, async (w) => {
    const p = await rawSession(w, "p", 5);
    p.sendPacket({ cmd: "publish", topic: "", payload: "x", qos: 0, retain: false, dup: false, properties: { topicAlias: 1 } }, 5);
    assert.equal((await p.next("disconnect")).reasonCode, 0x82);
  }));

test("a PUBLISH topic with wildcards: v5 DISCONNECT 0x90 Topic Name Invalid [MQTT-3.3.2-2]", () =>
  withBroker({}, async (w) => {
    const p = await rawSession(w, "p", 5);
    p.send([0x30, 0x06, 0x00, 0x03, 0x61, 0x2f, 0x2b, 0x00]); // PUBLISH "a/+", property length 0
    assert.equal((await p.next("disconnect")).reasonCode, 0x90);
    assert.ok(await p.waitClosed());
    await sleep(10);
  }));

test("a PUBLISH topic with wildcards: 3.1.1 connection closed, other clients unaffected [MQTT-3.3.2-2]", () =>
  withBroker({}, async (w) => {
    const other = await rawSession(w, "o", 4);
    const p = await rawSession(w, "p", 4);
    p.send([0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x23]); // PUBLISH "a/#"
    assert.ok(await p.waitClosed());
    other.sendPacket({ cmd: "pingreq" }, 4);
    assert.equal((await other.next("pingresp")).cmd, "pingresp");
    await sleep(10);
  }));

test("v5: a PUBLISH from a client carrying a Subscription Identifier → DISCONNECT 0x82 [MQTT-3.3.4-6]", () =>
  withBroker({}, async (w) => {
    const p = await rawSession(w, "p", 5);
    p.sendPacket({ cmd: "publish", topic: "t", payload: "x", qos: 0, retain: false, dup: false, properties: { subscriptionIdentifier: 3 } }, 5);
    assert.equal((await p.next("disconnect")).reasonCode, 0x82);
  }));
