// Bounds on what clients can make the broker keep, in memory mode (they hold with persistence
// too): maxPersistentSessions (Quota exceeded / 3.1.1 return code 3 for one more, resuming
// allowed), maxQueuedBytes (oldest QoS 0 of the session dropped first, then new messages
// refused; counted), persistentClientExpiration (an idle 3.1.1 session removed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/broker.ts";
import { connectPacket } from "../helpers/raw.ts";
import { withBroker } from "../helpers/setup.ts";

test("maxPersistentSessions: one more persistent session is refused (v5 0x97, 3.1.1 rc 3); resume, replace and clean sessions pass", () =>
  withBroker({ maxPersistentSessions: 2 }, async (w) => {
    const open = async (id: string, level: number, extra: Record<string, unknown>) => {
      const c = await w.raw.open(level);
      c.sendPacket(connectPacket(id, level, extra), level);
      return { c, ack: await c.next("connack") };
    };
    await open("p1", 4, { clean: false });
    await open("p2", 5, { clean: false, properties: { sessionExpiryInterval: 60 } });
    const v4 = await open("p3", 4, { clean: false });
    assert.equal(v4.ack.returnCode, 3);
    assert.ok(await v4.c.waitClosed());
    const v5 = await open("p4", 5, { clean: false, properties: { sessionExpiryInterval: 60 } });
    assert.equal(v5.ack.reasonCode, 0x97);
    assert.equal((await open("clean", 4, { clean: true })).ack.returnCode, 0); // costs nothing
    assert.equal((await open("zero", 5, { clean: false })).ack.reasonCode, 0); // expiry 0: ends with its connection
    const again = await open("p1", 4, { clean: false }); // takes p1 over: same session
    assert.equal(again.ack.returnCode, 0);
    assert.equal(again.ack.sessionPresent, true);
    assert.equal((await open("p2", 5, { clean: true, properties: { sessionExpiryInterval: 60 } })).ack.reasonCode, 0); // replaces its own
    assert.equal(w.b.broker.stats.refusedSessionQuota, 2);
    assert.equal(w.b.broker.stats.persistentSessions, 2);
    // A persistent session that ends frees its place.
    const p2 = await open("p2", 5, { clean: false, properties: { sessionExpiryInterval: 60 } });
    p2.c.sendPacket({ cmd: "disconnect", properties: { sessionExpiryInterval: 0 } }, 5);
    await p2.c.waitClosed();
    assert.equal(w.b.broker.stats.persistentSessions, 1);
    assert.equal((await open("p5", 4, { clean: false })).ack.returnCode, 0);
  }));

test("maxQueuedBytes: queues stop at the limit across sessions; refusals are counted", () =>
  withBroker({ maxQueuedBytes: 10_000, maxQueuedMessages: 1_000_000 }, async (w) => {
    for (const id of ["a", "b"]) {
      const c = await w.raw.open(4);
      c.sendPacket(connectPacket(id, 4, { clean: false }), 4);
      await c.next("connack");
      c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "t", qos: 1 }] }, 4);
      await c.next("suback");
      c.destroy();
    }
    await sleep(50);
    const pub = await w.raw.open(4);
    pub.sendPacket(connectPacket("pub", 4), 4);
    await pub.next("connack");
    const payload = "x".repeat(999); // + topic "t" = 1000 bytes a delivery
    for (let i = 1; i <= 20; i++) pub.sendPacket({ cmd: "publish", topic: "t", payload, qos: 1, messageId: i }, 4);
    for (let i = 0; i < 20; i++) await pub.next("puback");
    const core = w.b.broker.core;
    assert.equal(core.sessionContext.queueBytes.used, 10_000); // 10 deliveries of 1000 bytes, over both sessions
    assert.equal(core.sessions.get("a")!.queue.length + core.sessions.get("b")!.queue.length, 10);
    assert.equal(w.b.broker.stats.droppedQueueBytes, 30);
    // A session that ends gives its bytes back.
    const a = await w.raw.open(4);
    a.sendPacket(connectPacket("a", 4, { clean: true }), 4);
    await a.next("connack");
    assert.equal(core.sessionContext.queueBytes.used, 1000 * core.sessions.get("b")!.queue.length);
  }));

test("maxQueuedBytes: the session's oldest queued QoS 0 messages make room for QoS 1", async () => {
  const { DeliveryQueue, PushResult } = await import("../../src/session/queue.ts");
  const bytes = { used: 0, limit: 3000, stats: { droppedQueueBytes: 0 } };
  const q = new DeliveryQueue(100, bytes);
  const msg = (n: number) => ({ topic: new Uint8Array(0), props: new Uint8Array(0), payload: new Uint8Array(n), qos: 1 as const, retain: false, origin: -1 });
  const d = (qos: 0 | 1, tag: number) => ({ msg: msg(1000), qos, retain: false, subIds: null, storeSeq: tag });
  assert.equal(q.push(d(0, 1)), PushResult.Queued);
  assert.equal(q.push(d(1, 2)), PushResult.Queued);
  assert.equal(q.push(d(0, 3)), PushResult.Queued);
  assert.equal(q.push(d(0, 4)), PushResult.BytesFull); // QoS 0 does not push QoS 0 out
  assert.equal(q.push(d(1, 5)), PushResult.Queued); // the oldest QoS 0 (1) made room
  assert.equal(q.push(d(1, 6)), PushResult.Queued); // and the next (3)
  assert.equal(q.push(d(1, 7)), PushResult.BytesFull); // no QoS 0 left: refused
  assert.deepEqual(q.drainAll().map((x) => x.storeSeq), [2, 5, 6]);
  assert.equal(bytes.used, 3000);
  assert.equal(bytes.stats.droppedQueueBytes, 2);
  q.shift();
  assert.equal(bytes.used, 2000);
  q.clear();
  assert.equal(bytes.used, 0);
});

test("persistentClientExpiration removes an idle 3.1.1 persistent session (memory mode)", () =>
  withBroker({ persistentClientExpiration: 1, keepAliveTickMs: 20 }, async (w) => {
    const c = await w.raw.open(4);
    c.sendPacket(connectPacket("idle", 4, { clean: false }), 4);
    await c.next("connack");
    c.sendPacket({ cmd: "disconnect" }, 4);
    await c.waitClosed();
    assert.ok(w.b.broker.core.sessions.get("idle"));
    await sleep(1300);
    assert.equal(w.b.broker.core.sessions.get("idle"), undefined);
    assert.equal(w.b.broker.stats.persistentSessions, 0);
  }));
