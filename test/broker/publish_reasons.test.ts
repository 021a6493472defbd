// Acknowledgement reason codes of inbound PUBLISH (MQTT 5.0 §3.4.2.1, §3.5.2.1): 0x10 "No matching
// subscribers" when nobody (online or offline) gets the message; 0x87 "Not authorized" for a
// client's PUBLISH to the broker's own `$SYS/` tree (§4.7.2), which is never routed or retained.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

async function connected(w: World, id: string, level: number, extra: Record<string, unknown> = {}): Promise<RawClient> {
  const c = await w.raw.open(level);
  c.sendPacket(connectPacket(id, level, extra), level);
  const ack = await c.next("connack");
  assert.equal(level === 5 ? ack.reasonCode : ack.returnCode, 0);
  return c;
}

/** Publishes at `qos` from raw client `c` and returns the PUBACK / PUBREC reason code (0 if absent). */
async function publishReason(c: RawClient, topic: string, qos: 1 | 2, id: number, level = 5, retain = false): Promise<number> {
  c.sendPacket({ cmd: "publish", topic, payload: "m", qos, messageId: id, retain }, level);
  const ack = await c.next(qos === 1 ? "puback" : "pubrec");
  assert.equal(ack.messageId, id);
  return ack.reasonCode ?? 0;
}

test("v5 PUBACK / PUBREC 0x10 with no subscriber at all; 0x00 with an online one", () =>
  withBroker({}, async (w) => {
    const p = await connected(w, "pub", 5);
    assert.equal(await publishReason(p, "nobody/here", 1, 1), 0x10);
    assert.equal(await publishReason(p, "nobody/here", 2, 2), 0x10);
    p.sendPacket({ cmd: "pubrel", messageId: 2 }, 5); // 0x10 is a success code: the QoS 2 flow goes on
    assert.equal((await p.next("pubcomp")).reasonCode ?? 0, 0);
    const sub = await w.pool.connect({ clientId: "sub", protocolVersion: 5 });
    const got = collect(sub);
    await subscribe(sub, "some/+", { qos: 1 });
    assert.equal(await publishReason(p, "some/one", 1, 3), 0);
    assert.equal(await publishReason(p, "some/one", 2, 4), 0);
    await got.waitFor(2);
  }));

test("an offline persistent session with a matching subscription counts as a subscriber (0x00)", () =>
  withBroker({}, async (w) => {
    const s = await w.pool.connect({ clientId: "away", protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 300 } });
    await subscribe(s, "later/#", { qos: 1 });
    await s.endAsync();
    const p = await connected(w, "pub", 5);
    assert.equal(await publishReason(p, "later/x", 1, 1), 0);
  }));

test("the publisher's own No Local subscription is not a subscriber: 0x10", () =>
  withBroker({}, async (w) => {
    const p = await connected(w, "self", 5);
    p.sendPacket({ cmd: "subscribe", messageId: 9, subscriptions: [{ topic: "echo", qos: 1, nl: true }] }, 5);
    await p.next("suback");
    assert.equal(await publishReason(p, "echo", 1, 1), 0x10);
  }));

test("a retained message with no subscriber gets 0x10 and is stored all the same", () =>
  withBroker({}, async (w) => {
    const p = await connected(w, "pub", 5);
    assert.equal(await publishReason(p, "status/d1", 1, 1, 5, true), 0x10);
    const late = await w.pool.connect({ clientId: "late", protocolVersion: 5 });
    const got = collect(late);
    await subscribe(late, "status/#", { qos: 1 });
    await got.waitFor(1);
    assert.equal(got[0].retain, true);
  }));

test("3.1.1 acknowledgements carry no reason code (plain PUBACK with no subscriber)", () =>
  withBroker({}, async (w) => {
    const p = await connected(w, "pub4", 4);
    p.sendPacket({ cmd: "publish", topic: "nobody", payload: "m", qos: 1, messageId: 5 }, 4);
    await p.next("puback");
    const bytes = p.allBytes();
    assert.deepEqual([...bytes.subarray(bytes.length - 4)], [0x40, 0x02, 0x00, 0x05]);
  }));

test("a client's PUBLISH to $SYS/ is refused: v5 0x87, 3.1.1 plain ack; never delivered nor retained", () =>
  withBroker({}, async (w) => {
    const watcher = await w.pool.connect({ clientId: "watch", protocolVersion: 5 });
    const got = collect(watcher);
    await subscribe(watcher, ["$SYS/#", "$SYS"], { qos: 1 });
    const v5 = await connected(w, "forger5", 5);
    assert.equal(await publishReason(v5, "$SYS/broker/clients/connected", 1, 1, 5, true), 0x87);
    assert.equal(await publishReason(v5, "$SYS", 2, 2), 0x87);
    v5.sendPacket({ cmd: "publish", topic: "$SYS/broker/uptime", payload: "0", qos: 0, retain: true }, 5);
    const v4 = await connected(w, "forger4", 4);
    v4.sendPacket({ cmd: "publish", topic: "$SYS/broker/version", payload: "fake", qos: 1, messageId: 3, retain: true }, 4);
    assert.equal((await v4.next("puback")).messageId, 3);
    // Other `$` topics are ordinary topics (until an ACL says otherwise), and $SYSTEM is not $SYS.
    assert.equal(await publishReason(v5, "$SYSTEM/x", 1, 4), 0x10);
    await sleep(200);
    assert.equal(got.length, 0, JSON.stringify(got));
    assert.equal(w.b.broker.stats.droppedNotAuthorized, 4);
    const late = await w.pool.connect({ clientId: "late", protocolVersion: 5 });
    const retained = collect(late);
    await subscribe(late, "$SYS/#", { qos: 1 });
    await sleep(200);
    assert.equal(retained.length, 0, "nothing was retained under $SYS/");
    assert.equal(v5.closed, false);
  }));
