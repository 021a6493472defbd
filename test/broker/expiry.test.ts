// v5 Message Expiry Interval: messages waiting in a session queue or the retained store are
// dropped once expired [MQTT-3.3.2-5]; those sent later carry the remaining interval [MQTT-3.3.2-6].
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/broker.ts";
import { connectPacket } from "../helpers/raw.ts";
import { withBroker } from "../helpers/setup.ts";

test("expired queued and retained messages are dropped; the rest carry the remaining interval", () =>
  withBroker({}, async (w) => {
    const props = { properties: { sessionExpiryInterval: 60 }, clean: false };
    const sub = await w.raw.open(5);
    sub.sendPacket(connectPacket("s", 5, props), 5);
    await sub.next("connack");
    sub.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "x/#", qos: 1 }] }, 5);
    await sub.next("suback");
    sub.destroy();
    const pub = await w.pool.connect({ clientId: "p", protocolVersion: 5 });
    await pub.publishAsync("x/short", "s", { qos: 1, properties: { messageExpiryInterval: 1 } });
    await pub.publishAsync("x/long", "l", { qos: 1, properties: { messageExpiryInterval: 60 } });
    await pub.publishAsync("x/kept", "r", { qos: 1, retain: true, properties: { messageExpiryInterval: 1 } });
    await sleep(1400);
    const back = await w.raw.open(5);
    back.sendPacket(connectPacket("s", 5, props), 5);
    assert.equal((await back.next("connack")).sessionPresent, true);
    const m = await back.next("publish");
    await sleep(100);
    assert.equal(m.topic, "x/long");
    assert.ok(m.properties.messageExpiryInterval <= 59 && m.properties.messageExpiryInterval >= 57, `${m.properties.messageExpiryInterval}`);
    assert.equal(back.packets.filter((p) => p.cmd === "publish").length, 0, "the expired ones are gone");
    back.sendPacket({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "x/kept", qos: 1 }] }, 5);
    await back.next("suback");
    await sleep(100);
    assert.equal(back.packets.filter((p) => p.cmd === "publish").length, 0, "expired retained message not sent");
    assert.equal(w.b.broker.stats.droppedExpired, 3); // x/short queued, x/kept queued, x/kept retained
  }));
