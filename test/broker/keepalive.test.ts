// Keep Alive: 1.5 × keep-alive of silence closes the connection (v5: DISCONNECT 0x8D first) and
// publishes the will; any packet resets the timer; 0 disables it; 65535 is accepted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket } from "../helpers/raw.ts";
import { withBroker } from "../helpers/setup.ts";

test("seed flow: CONNECT with keep-alive 1 then silence → closed after ~1.5 s and the will published [MQTT-3.1.2-24]", () =>
  withBroker({}, async (w) => {
    const mon = await w.pool.connect({ clientId: "monitor" });
    const got = collect(mon);
    await subscribe(mon, "status/#", { qos: 1 });
    const c = await w.raw.open(4);
    const started = Date.now();
    c.sendPacket(connectPacket("silent", 4, {
      keepalive: 1, will: { topic: "status/silent", payload: Buffer.from("gone"), qos: 1, retain: false },
    }));
    assert.equal((await c.next("connack")).returnCode, 0);
    assert.ok(await c.waitClosed(4000), "closed by the server");
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1400 && elapsed < 3000, `closed after ${elapsed} ms`);
    await got.waitFor(1);
    assert.deepEqual([got[0].topic, got[0].payload], ["status/silent", "gone"]);
  }));

test("v5: keep-alive expiry sends DISCONNECT 0x8D before closing", () =>
  withBroker({}, async (w) => {
    const c = await w.raw.open(5);
    c.sendPacket(connectPacket("silent5", 5, { keepalive: 1 }), 5);
    await c.next("connack");
    assert.equal((await c.next("disconnect", 4000)).reasonCode, 0x8d);
    assert.ok(await c.waitClosed());
  }));

test("any packet resets the keep-alive timer (PINGREQ → PINGRESP) [MQTT-3.12.4-1]", () =>
  withBroker({}, async (w) => {
    const c = await w.raw.open(4);
    c.sendPacket(connectPacket("pinger", 4, { keepalive: 1 }));
    await c.next("connack");
    for (let i = 0; i < 5; i++) {
      await sleep(500);
      c.sendPacket({ cmd: "pingreq" });
      await c.next("pingresp");
    }
    assert.equal(c.closed, false);
  }));

test("keep-alive 0 turns the mechanism off; 65535 is accepted", () =>
  withBroker({}, async (w) => {
    const off = await w.raw.open(4);
    off.sendPacket(connectPacket("off", 4, { keepalive: 0 }));
    const max = await w.raw.open(4);
    max.sendPacket(connectPacket("max", 4, { keepalive: 65535 }));
    assert.equal((await off.next("connack")).returnCode, 0);
    assert.equal((await max.next("connack")).returnCode, 0);
    await sleep(1700);
    assert.equal(off.closed, false);
    assert.equal(max.closed, false);
  }));

test("v5: a capped keep-alive is announced as Server Keep Alive and enforced", () =>
  withBroker({ maxKeepAlive: 1 }, async (w) => {
    const c = await w.raw.open(5);
    c.sendPacket(connectPacket("capped", 5, { keepalive: 600 }), 5);
    assert.equal((await c.next("connack")).properties?.serverKeepAlive, 1);
    assert.equal((await c.next("disconnect", 4000)).reasonCode, 0x8d);
  }));
