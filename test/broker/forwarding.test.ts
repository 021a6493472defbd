// The forwarding hot path: the publisher's bytes go out unchanged when nothing differs; other
// variants are encoded once per publish (not per subscriber) with the packet id patched; level
// translation keeps v5 properties for v5 subscribers and drops them for 3.1.1 ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep, waitFor } from "../helpers/broker.ts";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

async function rawSubscriber(w: World, id: string, level: number, qos: number, topic = "f/t"): Promise<RawClient> {
  const c = await w.raw.open(level);
  c.sendPacket(connectPacket(id, level), level);
  await c.next("connack");
  c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos }] }, level);
  await c.next("suback");
  c.chunks.length = 0;
  c.received = 0;
  return c;
}

test("same level, same flags: subscribers receive the publisher's exact bytes", () =>
  withBroker({}, async (w) => {
    const sub = await rawSubscriber(w, "s", 4, 0);
    const pub = await rawSubscriber(w, "p", 4, 0, "unused");
    // PUBLISH QoS 0 "f/t" payload "hello"
    const bytes = [0x30, 0x0a, 0x00, 0x03, 0x66, 0x2f, 0x74, 0x68, 0x65, 0x6c, 0x6c, 0x6f];
    pub.send(bytes);
    await waitFor(() => sub.received >= bytes.length, "forwarded bytes");
    assert.deepEqual([...sub.allBytes()], bytes);
  }));

test("a QoS 1 publish to many QoS 1 subscribers of another level is encoded once; packet ids per subscriber", () =>
  withBroker({}, async (w) => {
    const subs: RawClient[] = [];
    for (let i = 0; i < 5; i++) subs.push(await rawSubscriber(w, `s${i}`, 5, 1));
    const encoder = w.b.broker.core.encoder;
    const original = encoder.publishFrom.bind(encoder);
    let calls = 0;
    encoder.publishFrom = (...args: Parameters<typeof original>) => (calls++, original(...args));
    const pub = await w.raw.open(4);
    pub.sendPacket(connectPacket("p", 4));
    await pub.next("connack");
    pub.sendPacket({ cmd: "publish", topic: "f/t", payload: "x", qos: 1, messageId: 9, dup: false, retain: false });
    await pub.next("puback");
    const got = await Promise.all(subs.map((s) => s.next("publish")));
    assert.equal(calls, 1, "one WASM encode for the (v5, QoS 1, retain 0) variant");
    assert.ok(got.every((m) => m.qos === 1 && String(m.payload) === "x" && m.messageId >= 1));
  }));

test("v5 → 3.1.1 drops properties; v5 → v5 keeps user properties; 3.1.1 → v5 has none", () =>
  withBroker({}, async (w) => {
    const s4 = await rawSubscriber(w, "s4", 4, 0);
    const s5 = await rawSubscriber(w, "s5", 5, 0);
    const p5 = await w.raw.open(5);
    p5.sendPacket(connectPacket("p5", 5), 5);
    await p5.next("connack");
    p5.sendPacket({ cmd: "publish", topic: "f/t", payload: "v5", qos: 0, dup: false, retain: false, properties: { userProperties: { a: "b" }, contentType: "c/t" } }, 5);
    const m4 = await s4.next("publish"), m5 = await s5.next("publish");
    assert.equal(String(m4.payload), "v5");
    assert.equal(m4.properties, undefined);
    assert.deepEqual({ ...m5.properties.userProperties }, { a: "b" });
    assert.equal(m5.properties.contentType, "c/t");
    const p4 = await w.raw.open(4);
    p4.sendPacket(connectPacket("p4", 4));
    await p4.next("connack");
    p4.sendPacket({ cmd: "publish", topic: "f/t", payload: "v4", qos: 0, dup: false, retain: false });
    const n5 = await s5.next("publish");
    assert.equal(String(n5.payload), "v4");
    assert.equal(n5.properties?.userProperties, undefined);
    await sleep(10);
  }));

test("MQTT 3.1 (level 3) subscribers receive from 3.1.1 and 5.0 publishers", () =>
  withBroker({}, async (w) => {
    const s3 = await rawSubscriber(w, "s3", 3, 2);
    const p4 = await w.pool.connect({ clientId: "p4" });
    const p5 = await w.pool.connect({ clientId: "p5", protocolVersion: 5 });
    await p4.publishAsync("f/t", "from4", { qos: 2 });
    await p5.publishAsync("f/t", "from5", { qos: 1, properties: { userProperties: { a: "b" } } });
    const a = await s3.next("publish");
    s3.sendPacket({ cmd: "pubrec", messageId: a.messageId }, 3);
    await s3.next("pubrel");
    s3.sendPacket({ cmd: "pubcomp", messageId: a.messageId }, 3);
    const b = await s3.next("publish");
    assert.deepEqual([String(a.payload), a.qos, String(b.payload), b.qos], ["from4", 2, "from5", 1]);
  }));
