// Session delivery logic against a fake link: backpressure (QoS 0 dropped and counted, QoS > 0
// queued up to maxQueuedMessages, drained in order), the inflight window, packet id reuse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createStats } from "../../src/session/stats.ts";
import { type Message, StoredPublication } from "../../src/session/message.ts";
import { Session, type SessionLink } from "../../src/session/session.ts";
import { InflightWindow } from "../../src/session/inflight.ts";
import { DeliveryQueue } from "../../src/session/queue.ts";
import { RetainedBacklog } from "../../src/session/backlog.ts";
import type { BatchWriter } from "../../src/transport/types.ts";

class FakeLink implements SessionLink {
  level = 4;
  receiveMaximum = 2;
  maximumPacketSize = 0;
  outboundAliases = null;
  congestedNow = false;
  sent: Uint8Array[] = [];
  send(bytes: Uint8Array): void {
    this.sent.push(bytes.slice());
  }
  sendWith(maxBytes: number, writer: BatchWriter): void {
    const out = new Uint8Array(maxBytes);
    this.sent.push(out.slice(0, writer.writeInto(out, 0)));
  }
  congested(): boolean {
    return this.congestedNow;
  }
}

const enc = new TextEncoder();
function message(payload: string, qos: 0 | 1 | 2): Message {
  return { topic: enc.encode("t"), props: new Uint8Array(0), payload: enc.encode(payload), qos, retain: false, origin: -1 };
}

/** Payload of a v4 PUBLISH with topic "t" built by the session. */
function payloadOf(p: Uint8Array): string {
  const qos = (p[0] >> 1) & 3;
  return new TextDecoder().decode(p.subarray(2 + 3 + (qos ? 2 : 0)));
}
const packetIdOf = (p: Uint8Array) => (p[5] << 8) | p[6];

const clock = { ms: 1_000_000 };

function setup(maxQueuedMessages = 10) {
  const stats = createStats();
  const logs: string[] = [];
  const drains: Session[] = [];
  const s = new Session("c", 0, { stats, maxQueuedMessages, log: (m) => logs.push(m), now: () => clock.ms,
    outbox: null, queueBytes: { used: 0, limit: 0, stats },
    wantDrain: (x) => drains.push(x) });
  const link = new FakeLink();
  s.link = link;
  return { s, link, stats, logs, drains };
}

const deliver = (s: Session, m: Message) => s.deliver(new StoredPublication(m), m.qos, false, null);

test("a congested link drops QoS 0 (counted, logged) and queues QoS 1 until drained", () => {
  const { s, link, stats, logs, drains } = setup();
  link.congestedNow = true;
  deliver(s, message("q0", 0));
  deliver(s, message("q1", 1));
  assert.equal(link.sent.length, 0);
  assert.deepEqual(drains, [s], "a drain is requested for a coming tick");
  assert.equal(stats.droppedCongested, 1);
  assert.equal(logs.length, 1);
  assert.equal(s.queue.length, 1);
  link.congestedNow = false;
  s.drain();
  assert.deepEqual(link.sent.map(payloadOf), ["q1"]);
});

test("the inflight window holds receiveMaximum messages; acks release the queue in order", () => {
  const { s, link } = setup();
  for (const p of ["a", "b", "c", "d"]) deliver(s, message(p, 1));
  assert.deepEqual(link.sent.map(payloadOf), ["a", "b"]);
  assert.equal(s.queue.length, 2);
  s.onPuback(packetIdOf(link.sent[0]));
  s.onPuback(packetIdOf(link.sent[1]));
  assert.deepEqual(link.sent.map(payloadOf), ["a", "b", "c", "d"]);
  assert.equal(s.inflight.size, 2);
});

test("a full queue drops new QoS > 0 messages and counts them", () => {
  const { s, link, stats } = setup(1);
  link.receiveMaximum = 1;
  for (const p of ["a", "b", "c"]) deliver(s, message(p, 2));
  assert.equal(link.sent.length, 1);
  assert.equal(s.queue.length, 1);
  assert.equal(stats.droppedQueueFull, 1);
});

test("packet ids are unique among messages in flight and reused after acknowledgement [MQTT-2.3.1-2]", () => {
  const { s, link } = setup();
  link.receiveMaximum = 3;
  for (const p of ["a", "b", "c"]) deliver(s, message(p, 1));
  const ids = link.sent.map(packetIdOf);
  assert.equal(new Set(ids).size, 3);
  assert.ok(ids.every((id) => id >= 1 && id <= 65535));
});

test("offline: QoS 0 is not queued, QoS 1 is, and resume() sends it", () => {
  const { s, link, stats } = setup();
  s.link = null;
  deliver(s, message("zero", 0));
  deliver(s, message("one", 1));
  assert.equal(stats.droppedOffline, 1);
  s.link = link;
  s.resume();
  assert.deepEqual(link.sent.map(payloadOf), ["one"]);
});

// Retained backlog: references owed to a new subscription, drained after what was queued before
// them and before what comes after, never dropped for congestion, skipped once expired.

function retained(payload: string, qos: 0 | 1 | 2): Message {
  return { ...message(payload, qos), retain: true };
}

test("the retained backlog goes after earlier queued deliveries and before later ones, with retain=1 [MQTT-3.3.1-8]", () => {
  const { s, link } = setup();
  link.receiveMaximum = 1;
  deliver(s, message("live-a", 1)); // in flight
  deliver(s, message("live-b", 1)); // queued
  s.addRetained([retained("r1", 1), retained("r2", 0)], 1, null, 100);
  deliver(s, message("live-c", 1)); // behind the backlog
  deliver(s, message("live-d", 0)); // QoS 0 too: behind, not sent at once
  const order: string[] = [];
  for (let i = 0; i < 10 && link.sent.length > order.length; i++) {
    const p = link.sent[order.length];
    order.push(`${payloadOf(p)}:${p[0] & 1}`);
    if ((p[0] >> 1) & 3) s.onPuback(packetIdOf(p));
    else s.drain();
  }
  assert.deepEqual(order, ["live-a:0", "live-b:0", "r1:1", "r2:1", "live-c:0", "live-d:0"]);
});

test("a congested link keeps QoS 0 retained copies waiting (nothing dropped) and resumes in order", () => {
  const { s, link, stats, drains } = setup();
  link.congestedNow = true;
  s.addRetained([retained("a", 0), retained("b", 0), retained("c", 0)], 0, null, 100);
  s.drain();
  assert.equal(link.sent.length, 0);
  assert.deepEqual(drains, [s], "retried on a coming tick");
  link.congestedNow = false;
  s.drain();
  assert.deepEqual(link.sent.map(payloadOf), ["a", "b", "c"]);
  assert.equal(stats.droppedCongested, 0);
  assert.equal(s.backlog.size, 0);
});

test("retained copies whose expiry passed while waiting are skipped and counted [MQTT-3.3.2-5]", () => {
  const { s, link, stats } = setup();
  const short = { ...retained("gone", 1), expiresAt: clock.ms + 1000 };
  link.congestedNow = true;
  s.addRetained([short, retained("kept", 1)], 1, null, 100);
  clock.ms += 2000;
  link.congestedNow = false;
  s.drain();
  assert.deepEqual(link.sent.map(payloadOf), ["kept"]);
  assert.equal(stats.droppedExpired, 1);
});

test("a backlog over its limit keeps what fits; the rest is counted and logged", () => {
  const { s, stats, logs } = setup();
  s.link = null;
  s.addRetained(["a", "b", "c"].map((p) => retained(p, 1)), 1, null, 2);
  s.addRetained([retained("d", 1)], 1, null, 2);
  assert.equal(s.backlog.size, 2);
  assert.equal(stats.droppedBacklogFull, 2);
  assert.equal(logs.length, 2);
});

test("a large backlog is sent in bursts that yield to the event loop, then continues by itself", async () => {
  const { s, link } = setup();
  link.receiveMaximum = 65535;
  const big = "x".repeat(1000);
  s.addRetained(Array.from({ length: 1000 }, () => retained(big, 0)), 0, null, 1000);
  s.drain();
  const first = link.sent.length;
  assert.ok(first > 0 && first < 1000, `first burst ${first}`);
  for (let i = 0; i < 50 && link.sent.length < 1000; i++) await new Promise((r) => setImmediate(r));
  assert.equal(link.sent.length, 1000);
});

test("clearMessages (clean start, session end) drops the backlog", () => {
  const { s, link } = setup();
  link.receiveMaximum = 1;
  s.addRetained([retained("a", 1), retained("b", 1)], 1, null, 100);
  s.drain();
  s.clearMessages();
  assert.equal(s.backlog.size, 0);
  assert.equal(s.inflight.size, 0);
  s.drain();
  assert.equal(link.sent.length, 1);
});

test("inflight ids stay unique among messages in flight through growth and wrap-around; re-send order is send order [MQTT-2.3.1-2] [MQTT-4.4.0-1]", () => {
  const w = new InflightWindow();
  const m = message("x", 1);
  const sentAt = new Map<number, number>(); // packet id in flight → send number
  const ids: number[] = [];
  let rnd = 7;
  for (let n = 0; n < 200_000; n++) {
    const e = w.add(m, 1, false, null);
    assert.ok(e.packetId >= 1 && e.packetId <= 65535 && !sentAt.has(e.packetId), `id ${e.packetId} at ${n}`);
    sentAt.set(e.packetId, n);
    ids.push(e.packetId);
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    if (ids.length > 3000 || rnd % 3 !== 0) { // ack a random one in flight, mostly
      const k = rnd % ids.length, id = ids[k];
      ids[k] = ids[ids.length - 1];
      ids.pop();
      assert.equal(w.delete(id), true);
      sentAt.delete(id);
    }
  }
  assert.equal(w.size, sentAt.size);
  const order = w.values().map((e) => sentAt.get(e.packetId)!);
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
  assert.equal(w.get(0), undefined);
  assert.equal(w.get(70000), undefined);
});

/** Collections a session holds (they are made on first use: an idle session has none). */
function collections(s: Session): unknown[] {
  return Object.values(s).filter((v) => v instanceof Map || v instanceof Set || v instanceof InflightWindow ||
    v instanceof DeliveryQueue || v instanceof RetainedBacklog);
}

test("an idle session holds no collections; QoS 0, stray acks and drains create none; clearMessages frees them", () => {
  const { s, link } = setup();
  assert.deepEqual(collections(s), []);
  deliver(s, message("a", 0));
  s.onPuback(1);
  s.onPubcomp(1);
  s.addRetained([], 1, null, 10);
  s.drain();
  s.resume();
  assert.equal(link.sent.length, 1);
  assert.deepEqual(collections(s), []);
  deliver(s, message("b", 1));
  assert.equal(s.inflight.size, 1);
  assert.equal(collections(s).length, 1, "the window, made by the first QoS 1 delivery");
  s.clearMessages();
  assert.deepEqual(collections(s), []);
  assert.equal(s.inflight.size, 0);
});

test("drops are logged on the first and every 1000th occurrence on the broker, whichever session hits them", () => {
  const { s, link, stats, logs } = setup();
  const other = new Session("d", 1, { stats, maxQueuedMessages: 10, log: (m) => logs.push(m), now: () => clock.ms,
    wantDrain: () => {}, outbox: null, queueBytes: { used: 0, limit: 0, stats } });
  other.link = link;
  link.congestedNow = true;
  for (let i = 0; i < 1000; i++) deliver(i % 2 === 0 ? s : other, message("x", 0));
  assert.equal(stats.droppedCongested, 1000);
  assert.deepEqual(logs, ["client c: QoS 0 message dropped: socket congested (1 on this broker so far)"]);
  deliver(other, message("y", 0));
  assert.equal(logs.length, 2);
  assert.match(logs[1], /^client d: .*\(1001 on this broker so far\)$/);
});
