// Session delivery logic against a fake link: backpressure (QoS 0 dropped and counted, QoS > 0
// queued up to maxQueuedMessages, drained in order), the inflight window, packet id reuse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createStats } from "../../src/broker/stats.ts";
import { type Message, StoredPublication } from "../../src/session/message.ts";
import { Session, type SessionLink } from "../../src/session/session.ts";

class FakeLink implements SessionLink {
  level = 4;
  receiveMaximum = 2;
  maximumPacketSize = 0;
  congestedNow = false;
  sent: Uint8Array[] = [];
  send(bytes: Uint8Array): void {
    this.sent.push(bytes.slice());
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
