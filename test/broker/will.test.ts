// Last Will: published on socket death, protocol errors, v5 DISCONNECT 0x04, take-over and server
// shutdown; never after a normal DISCONNECT; v5 Will Delay Interval against reconnects and
// session end; retained wills (the online/offline monitor pattern).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

const will = (extra: Record<string, unknown> = {}) => ({
  topic: "devices/d1/status", payload: Buffer.from("offline"), qos: 1 as const, retain: false, ...extra,
});

/** A raw client connected (CONNACK received) with `extra` CONNECT fields. */
async function rawConnect(w: World, id: string, level: number, extra: Record<string, unknown>): Promise<RawClient> {
  const c = await w.raw.open(level);
  c.sendPacket(connectPacket(id, level, extra), level);
  const ack = await c.next("connack");
  assert.equal(level === 5 ? ack.reasonCode : ack.returnCode, 0);
  return c;
}

/** An MQTT.js monitor subscribed to the status topic. */
async function monitor(w: World, protocolVersion: 4 | 5 = 4, keepalive = 60) {
  const m = await w.pool.connect({ clientId: "monitor", protocolVersion, keepalive });
  const got = collect(m);
  await subscribe(m, "devices/+/status", { qos: 1 });
  return got;
}

test("seed flow: 'online' retained at connect, 'offline' retained will when the socket dies; a later monitor sees 'offline'", () =>
  withBroker({}, async (w) => {
    const device = await w.pool.connect({
      clientId: "d1", will: { topic: "devices/d1/status", payload: Buffer.from("offline"), qos: 1, retain: true },
    });
    await device.publishAsync("devices/d1/status", "online", { qos: 1, retain: true });
    const early = await monitor(w);
    await early.waitFor(1);
    assert.deepEqual([early[0].payload, early[0].retain], ["online", true]);
    device.stream.destroy(); // the device's socket dies: no DISCONNECT
    await early.waitFor(2);
    assert.deepEqual([early[1].payload, early[1].retain], ["offline", false]); // live forward [MQTT-3.3.1-9]
    const late = await w.pool.connect({ clientId: "late-monitor" });
    const got = collect(late);
    await subscribe(late, "devices/+/status", { qos: 1 });
    await got.waitFor(1);
    assert.deepEqual([got[0].topic, got[0].payload, got[0].retain], ["devices/d1/status", "offline", true]);
  }));

test("a normal DISCONNECT discards the will [MQTT-3.1.2-10]", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w);
    const device = await w.pool.connect({ clientId: "d1", will: will() });
    await device.endAsync();
    await sleep(200);
    assert.equal(got.length, 0);
    assert.equal(w.b.broker.stats.willsPublished, 0);
  }));

test("v5 DISCONNECT with reason 0x04 publishes the will", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w, 5);
    const device = await rawConnect(w, "d1", 5, { will: will() });
    device.sendPacket({ cmd: "disconnect", reasonCode: 0x04 }, 5);
    await got.waitFor(1);
    assert.equal(got[0].payload, "offline");
  }));

test("a protocol error publishes the will", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w);
    const device = await rawConnect(w, "d1", 4, { will: will() });
    device.sendPacket(connectPacket("d1", 4)); // second CONNECT [MQTT-3.1.0-2]
    await got.waitFor(1);
    assert.equal(got[0].topic, "devices/d1/status");
    assert.ok(await device.waitClosed());
  }));

test("take-over: the old connection is closed and its will published (3.1.1) [MQTT-3.1.4-3]", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w);
    const old = await rawConnect(w, "d1", 4, { will: will(), clean: false });
    await rawConnect(w, "d1", 4, { clean: false });
    await got.waitFor(1);
    assert.ok(await old.waitClosed());
  }));

test("v5 Will Delay: a reconnect (clean start 0) within the delay cancels the will [MQTT-3.1.3-9]", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w);
    const props = { sessionExpiryInterval: 60 };
    const d = await rawConnect(w, "d1", 5, { clean: false, properties: props, will: will({ properties: { willDelayInterval: 1 } }) });
    d.destroy();
    await sleep(300);
    const again = await rawConnect(w, "d1", 5, { clean: false, properties: props });
    await sleep(1300);
    assert.equal(got.length, 0);
    assert.equal(again.closed, false);
  }));

test("v5 Will Delay: without a reconnect the will goes out after the delay", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w);
    const started = Date.now();
    const d = await rawConnect(w, "d1", 5, { properties: { sessionExpiryInterval: 60 }, will: will({ properties: { willDelayInterval: 1 } }) });
    d.destroy();
    await sleep(400);
    assert.equal(got.length, 0);
    await got.waitFor(1, 3000);
    assert.ok(Date.now() - started >= 900, "not before the delay");
  }));

test("v5 Will Delay longer than the session: session expiry 0 sends the will at once", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w);
    const d = await rawConnect(w, "d1", 5, { will: will({ properties: { willDelayInterval: 30 } }) });
    d.destroy();
    await got.waitFor(1, 1000);
  }));

test("v5 Will Delay: a clean-start reconnect ends the old session, so its will goes out at once", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w);
    const d = await rawConnect(w, "d1", 5, { properties: { sessionExpiryInterval: 60 }, will: will({ properties: { willDelayInterval: 30 } }) });
    d.destroy();
    await sleep(200);
    assert.equal(got.length, 0);
    await rawConnect(w, "d1", 5, { clean: true });
    await got.waitFor(1, 1000);
  }));

test("v5 will properties are carried into the PUBLISH", () =>
  withBroker({}, async (w) => {
    const got = await monitor(w, 5);
    const d = await rawConnect(w, "d1", 5, {
      will: will({ properties: { contentType: "text/plain", userProperties: { k: "v" }, responseTopic: "r/t" } }),
    });
    d.destroy();
    await got.waitFor(1);
    const p = got[0].properties ?? {};
    assert.equal(p.contentType, "text/plain");
    assert.equal(p.responseTopic, "r/t");
    assert.deepEqual({ ...(p.userProperties as object) }, { k: "v" });
  }));

test("server shutdown publishes connected clients' wills; v5 clients get DISCONNECT 0x8B", () =>
  withBroker({}, async (w) => {
    const mon = await rawConnect(w, "monitor", 5, {});
    mon.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "devices/+/status", qos: 0 }] }, 5);
    await mon.next("suback");
    await rawConnect(w, "d1", 4, { will: will() });
    await w.b.close();
    const pub = await mon.next("publish");
    assert.equal(pub.topic, "devices/d1/status");
    assert.equal((await mon.next("disconnect")).reasonCode, 0x8b);
    assert.ok(await mon.waitClosed());
  }));

test("injected clock: an hour-long Will Delay and Session Expiry elapse without waiting an hour", async () => {
  let fake = Date.now();
  await withBroker({ now: () => fake, keepAliveTickMs: 20 }, async (w) => {
    const got = await monitor(w, 4, 0); // no keep-alive: the jumps below would time it out
    const d = await rawConnect(w, "d1", 5, {
      properties: { sessionExpiryInterval: 7200 }, will: will({ properties: { willDelayInterval: 3600 } }),
    });
    d.destroy();
    await sleep(100);
    fake += 3599_000;
    await sleep(100);
    assert.equal(got.length, 0, "not before the delay");
    fake += 2_000;
    await got.waitFor(1, 2000);
    assert.ok(w.b.broker.core.sessions.get("d1") !== undefined, "the session outlives the will");
    fake += 7200_000;
    await sleep(150);
    assert.equal(w.b.broker.core.sessions.get("d1"), undefined, "then expires");
  });
});
