// Retained messages: store/replace/delete, delivery to new subscriptions with retain=1 (wildcards
// included), retain=0 on live forwards, Retain As Published and Retain Handling (v5).
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { withBroker } from "../helpers/setup.ts";

test("seed flow: a late subscriber gets the retained message with retain=1, a live forward has retain=0 [MQTT-3.3.1-6] [MQTT-3.3.1-8] [MQTT-3.3.1-9]", () =>
  withBroker({}, async ({ pool }) => {
    const pub = await pool.connect({ clientId: "publisher" });
    await pub.publishAsync("sensors/temp", "21.5", { qos: 1, retain: true });
    const sub = await pool.connect({ clientId: "subscriber" });
    const got = collect(sub);
    await subscribe(sub, "sensors/temp", { qos: 1 });
    await got.waitFor(1);
    assert.deepEqual(got[0], { topic: "sensors/temp", payload: "21.5", qos: 1, retain: true, dup: false, properties: undefined });
    await pub.publishAsync("sensors/temp", "22.0", { qos: 1, retain: true });
    await got.waitFor(2);
    assert.equal(got[1].payload, "22.0");
    assert.equal(got[1].retain, false);
  }));

test("a retained publish replaces the topic's message; wildcards receive every matching one [MQTT-3.3.1-5] [MQTT-3.3.1-7]", () =>
  withBroker({}, async ({ b, pool }) => {
    const pub = await pool.connect({ clientId: "p" });
    await pub.publishAsync("home/kitchen/temp", "1", { qos: 1, retain: true });
    await pub.publishAsync("home/kitchen/temp", "2", { qos: 1, retain: true });
    await pub.publishAsync("home/hall/temp", "3", { qos: 1, retain: true });
    await pub.publishAsync("office/temp", "4", { qos: 1, retain: true });
    assert.equal(b.broker.core.retained.size, 3);
    const sub = await pool.connect({ clientId: "s" });
    const got = collect(sub);
    await subscribe(sub, "home/+/temp", { qos: 0 });
    await got.waitFor(2);
    await sleep(50);
    assert.deepEqual(got.map((m) => `${m.topic}=${m.payload}:${m.retain}`).sort(), ["home/hall/temp=3:true", "home/kitchen/temp=2:true"]);
  }));

test("an empty retained payload deletes the retained message and is not stored [MQTT-3.3.1-10] [MQTT-3.3.1-11]", () =>
  withBroker({}, async ({ b, pool }) => {
    const pub = await pool.connect({ clientId: "p" });
    await pub.publishAsync("t/x", "keep", { qos: 1, retain: true });
    await pub.publishAsync("t/x", "", { qos: 1, retain: true });
    await pub.publishAsync("t/y", "", { qos: 1, retain: true });
    assert.equal(b.broker.core.retained.size, 0);
    const sub = await pool.connect({ clientId: "s" });
    const got = collect(sub);
    await subscribe(sub, "t/#");
    await sleep(150);
    assert.equal(got.length, 0);
  }));

test("a repeated SUBSCRIBE re-delivers matching retained messages [MQTT-3.8.4-3]", () =>
  withBroker({}, async ({ pool }) => {
    const pub = await pool.connect({ clientId: "p" });
    await pub.publishAsync("r/1", "v", { qos: 0, retain: true });
    const sub = await pool.connect({ clientId: "s" });
    const got = collect(sub);
    await subscribe(sub, "r/#");
    await got.waitFor(1);
    await subscribe(sub, "r/#");
    await got.waitFor(2);
    assert.ok(got.every((m) => m.retain && m.payload === "v"));
  }));

test("retained delivery uses the lower of the stored and granted QoS", () =>
  withBroker({}, async ({ pool }) => {
    const pub = await pool.connect({ clientId: "p" });
    await pub.publishAsync("q/2", "x", { qos: 2, retain: true });
    const sub = await pool.connect({ clientId: "s" });
    const got = collect(sub);
    await subscribe(sub, "q/2", { qos: 1 });
    await got.waitFor(1);
    assert.equal(got[0].qos, 1);
  }));

test("v5 Retain As Published keeps retain=1 on live forwards [MQTT-3.3.1-12] [MQTT-3.3.1-13]", () =>
  withBroker({}, async ({ pool }) => {
    const sub = await pool.connect({ clientId: "s", protocolVersion: 5 });
    const got = collect(sub);
    await subscribe(sub, "rap/on", { qos: 0, rap: true });
    await subscribe(sub, "rap/off", { qos: 0, rap: false });
    const pub = await pool.connect({ clientId: "p", protocolVersion: 5 });
    await pub.publishAsync("rap/on", "a", { qos: 1, retain: true });
    await pub.publishAsync("rap/off", "b", { qos: 1, retain: true });
    await got.waitFor(2);
    assert.deepEqual(got.map((m) => [m.topic, m.retain]), [["rap/on", true], ["rap/off", false]]);
  }));

test("v5 Retain Handling: 0 always sends, 1 only for a new subscription, 2 never [MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] (v5 numbering)", () =>
  withBroker({}, async ({ pool }) => {
    const pub = await pool.connect({ clientId: "p", protocolVersion: 5 });
    await pub.publishAsync("rh/t", "kept", { qos: 1, retain: true });
    const sub = await pool.connect({ clientId: "s", protocolVersion: 5 });
    const got = collect(sub);
    await subscribe(sub, "rh/t", { qos: 0, rh: 1 });
    await got.waitFor(1);
    await subscribe(sub, "rh/t", { qos: 0, rh: 1 }); // exists now: nothing
    await subscribe(sub, "rh/+", { qos: 0, rh: 2 }); // never
    await sleep(100);
    assert.equal(got.length, 1);
    await subscribe(sub, "rh/t", { qos: 0, rh: 0 }); // always
    await got.waitFor(2);
    assert.equal(got[1].retain, true);
  }));

test("retain not available: a retained PUBLISH gets DISCONNECT 0x9A (v5)", () =>
  withBroker({ retainAvailable: false }, async ({ raw }) => {
    const c = await raw.open(5);
    c.sendPacket({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, clientId: "nr", keepalive: 0 }, 5);
    await c.next("connack");
    c.sendPacket({ cmd: "publish", topic: "x", payload: "y", qos: 0, retain: true, dup: false }, 5);
    assert.equal((await c.next("disconnect")).reasonCode, 0x9a);
    assert.ok(await c.waitClosed());
  }));
