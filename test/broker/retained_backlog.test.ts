// Retained messages owed to a new subscription: a backlog of references paced by the inflight
// window and the socket, never dropped for lack of room (QoS 1 beyond maxQueuedMessages, QoS 0
// behind a congested socket), never overtaken by live messages on the same topic, kept by a
// persistent session and cleared by clean start; and a subscriber that stops reading costs the
// others nothing and holds bounded memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect, type Socket } from "node:net";
import mqttPacket from "mqtt-packet";
import type { Broker } from "../../src/broker/broker.ts";
import type { Client } from "../../src/broker/client.ts";
import { sleep, waitFor } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { type AnyPacket, connectPacket } from "../helpers/raw.ts";
import { withBroker } from "../helpers/setup.ts";

/**
 * A raw subscriber that acknowledges every QoS 1 PUBLISH one event-loop turn later (so several
 * can be outstanding) and records the most it ever had unacknowledged.
 */
class AckingSubscriber {
  readonly publishes: AnyPacket[] = [];
  readonly others: AnyPacket[] = [];
  outstanding = 0;
  maxOutstanding = 0;
  private constructor(readonly socket: Socket, readonly level: number, public acking: boolean) {
    const parser = mqttPacket.parser({ protocolVersion: level });
    parser.on("packet", (p: AnyPacket) => this.onPacket(p));
    socket.on("data", (d: Uint8Array) => parser.parse(d as Parameters<typeof parser.parse>[0]));
    socket.on("error", () => {});
  }

  static async open(
    port: number, level: number, clientId: string, extra: Record<string, unknown> = {}, acking = true,
  ): Promise<AckingSubscriber> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect(port, "127.0.0.1", () => resolve(s));
      s.once("error", reject);
    });
    const c = new AckingSubscriber(socket, level, acking);
    c.send(connectPacket(clientId, level, extra));
    await waitFor(() => c.others.some((p) => p.cmd === "connack"), "CONNACK");
    return c;
  }

  send(packet: AnyPacket): void {
    this.socket.write(mqttPacket.generate(packet, { protocolVersion: this.level }));
  }

  async subscribe(topic: string, qos: number): Promise<void> {
    this.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos }] });
    await waitFor(() => this.others.some((p) => p.cmd === "suback"), "SUBACK");
  }

  /** Acknowledges what arrived while not acking, and everything from now on. */
  startAcking(): void {
    this.acking = true;
    for (const p of this.publishes) if (p.qos > 0) this.send({ cmd: "puback", messageId: p.messageId });
  }

  private onPacket(p: AnyPacket): void {
    if (p.cmd !== "publish") return void this.others.push(p);
    this.publishes.push(p);
    if (p.qos === 0 || !this.acking) return;
    this.maxOutstanding = Math.max(this.maxOutstanding, ++this.outstanding);
    setImmediate(() => {
      this.outstanding--;
      if (!this.socket.destroyed) this.send({ cmd: "puback", messageId: p.messageId });
    });
  }
}

/** Stores `n` retained messages r/<i> with payload "<i>" through the embedder API. */
function storeRetained(broker: Broker, n: number, qos: 0 | 1, prefix = "r"): void {
  for (let i = 0; i < n; i++) broker.publish(`${prefix}/${i}`, String(i), { qos, retain: true });
}

/** Every publish is a stored copy (retain=1 [MQTT-3.3.1-8]) and all `n` topics arrived once. */
function assertAllRetained(got: AnyPacket[], n: number): void {
  assert.equal(got.length, n);
  assert.ok(got.every((p) => p.retain === true), "stored copies carry retain=1"); // [MQTT-3.3.1-8]
  assert.equal(new Set(got.map((p) => p.topic)).size, n);
}

/** Without acks exactly `window` messages arrive, then nothing [MQTT-3.3.4-7]. */
async function fullWindow(s: AckingSubscriber, window: number): Promise<void> {
  await waitFor(() => s.publishes.length >= window, "a full window");
  await sleep(50);
  assert.equal(s.publishes.length, window, "nothing beyond the window before an ack");
}

const N = 20_000;

test("v5: 20,000 retained at QoS 1 to '#' with Receive Maximum 8 all arrive, the window never exceeded [MQTT-3.3.4-7] [MQTT-3.3.1-8]", () =>
  withBroker({ maxQueuedMessages: 100 }, async ({ b }) => {
    storeRetained(b.broker, N, 1);
    const s = await AckingSubscriber.open(b.port, 5, "s5", { properties: { receiveMaximum: 8 } }, false);
    await s.subscribe("#", 1);
    await fullWindow(s, 8);
    s.startAcking();
    await waitFor(() => s.publishes.length >= N, `${N} retained`, 30_000);
    assertAllRetained(s.publishes, N);
    assert.ok(s.publishes.every((p) => p.qos === 1));
    assert.ok(s.maxOutstanding <= 8, `the client's Receive Maximum bounds the window (${s.maxOutstanding})`);
    assert.equal(b.broker.stats.droppedQueueFull + b.broker.stats.droppedBacklogFull, 0);
    s.socket.destroy();
  }));

test("3.1.1: 20,000 retained at QoS 1 to '#' all arrive; config.maxInflight bounds the window", () =>
  withBroker({ maxInflight: 16, maxQueuedMessages: 100 }, async ({ b }) => {
    storeRetained(b.broker, N, 1);
    const s = await AckingSubscriber.open(b.port, 4, "s4", {}, false);
    await s.subscribe("#", 1);
    await fullWindow(s, 16);
    s.startAcking();
    await waitFor(() => s.publishes.length >= N, `${N} retained`, 30_000);
    assertAllRetained(s.publishes, N);
    assert.ok(s.maxOutstanding <= 16, `${s.maxOutstanding}`);
    assert.equal(b.broker.core.sessions.get("s4")!.backlog.size, 0);
    s.socket.destroy();
  }));

test("QoS 0 retained copies wait for a congested socket instead of being dropped", () =>
  withBroker({ maxBufferedBytes: 8192, keepAliveTickMs: 10 }, async ({ b }) => {
    storeRetained(b.broker, N, 0);
    const s = await AckingSubscriber.open(b.port, 4, "q0");
    await s.subscribe("#", 0);
    await waitFor(() => s.publishes.length >= N, `${N} retained`, 30_000);
    assertAllRetained(s.publishes, N);
    assert.equal(b.broker.stats.droppedCongested, 0);
    s.socket.destroy();
  }));

test("a live message never overtakes its topic's stored copy still in the backlog (QoS 1 and QoS 0)", () =>
  withBroker({}, async ({ b }) => {
    const n = 2000;
    storeRetained(b.broker, n, 1, "fleet");
    const s = await AckingSubscriber.open(b.port, 5, "monitor", { properties: { receiveMaximum: 2 } }, false);
    await s.subscribe("fleet/#", 1);
    await waitFor(() => s.publishes.length === 2, "a full window");
    assert.equal(b.broker.core.sessions.get("monitor")!.backlog.size, n - 2, "the rest waits for acks");
    b.broker.publish(`fleet/${n - 1}`, "online", { qos: 1, retain: true });
    b.broker.publish(`fleet/${n - 2}`, "online", { qos: 0 });
    s.startAcking();
    await waitFor(() => s.publishes.length >= n + 2, `${n + 2} messages`, 10_000);
    for (const t of [`fleet/${n - 1}`, `fleet/${n - 2}`]) {
      const seen = s.publishes.filter((p) => p.topic === t).map((p) => `${p.payload}:${p.retain ? 1 : 0}`);
      assert.deepEqual(seen, [`${t.split("/")[1]}:1`, "online:0"], t); // [MQTT-3.3.1-8] [MQTT-3.3.1-9]
    }
    assert.equal(b.broker.stats.droppedQueueFull, 0);
    s.socket.destroy();
  }));

test("a persistent session keeps its backlog across a disconnect; clean start drops it [MQTT-3.1.2-4] [MQTT-3.1.2-5]", () =>
  withBroker({}, async ({ b }) => {
    const n = 500;
    storeRetained(b.broker, n, 1);
    const persist = (receiveMaximum: number) => ({ clean: false, properties: { sessionExpiryInterval: 60, receiveMaximum } });
    const first = await AckingSubscriber.open(b.port, 5, "p", persist(1), false); // one in flight, never acked
    await first.subscribe("r/#", 1);
    await waitFor(() => first.publishes.length === 1, "the first retained message");
    first.socket.destroy();
    const session = b.broker.core.sessions.get("p")!;
    await waitFor(() => session.link === null, "the disconnect");
    assert.equal(session.backlog.size, n - 1);
    const second = await AckingSubscriber.open(b.port, 5, "p", persist(4), false);
    await waitFor(() => second.publishes.length >= 4, "resumed retained delivery");
    await sleep(50);
    assert.equal(second.publishes.length, 4, "the new Receive Maximum bounds the resumed window");
    assert.equal(second.publishes[0].dup, true, "the unacknowledged one is re-sent first"); // [MQTT-4.4.0-1]
    assert.equal(second.publishes[0].topic, first.publishes[0].topic);
    assert.equal(session.backlog.size, n - 4);
    second.socket.destroy();
    await waitFor(() => session.link === null, "the second disconnect");
    const clean = await AckingSubscriber.open(b.port, 5, "p", { clean: true, properties: { receiveMaximum: 4 } });
    await sleep(100);
    assert.equal(clean.publishes.length, 0, "a clean start owes nothing");
    assert.equal(b.broker.core.sessions.get("p")!.backlog.size, 0);
    clean.socket.destroy();
  }));

test("retained matches beyond maxRetainedBacklog are dropped, counted and logged", async () => {
  const logs: string[] = [];
  await withBroker({ maxRetainedBacklog: 300, log: (m) => logs.push(m) }, async ({ b }) => {
    storeRetained(b.broker, 1000, 1);
    const s = await AckingSubscriber.open(b.port, 4, "small");
    await s.subscribe("#", 1);
    await waitFor(() => s.publishes.length >= 300, "300 retained");
    await sleep(100);
    assert.equal(s.publishes.length, 300);
    assert.equal(b.broker.stats.droppedBacklogFull, 700);
    assert.ok(logs.some((l) => l.includes("retained backlog full")), logs.join("\n"));
    s.socket.destroy();
  });
});

test("a subscriber that never reads does not hold up another one; its memory stays bounded (counted drops)", () =>
  withBroker({ maxBufferedBytes: 128 * 1024, maxQueuedMessages: 50 }, async ({ b, pool }) => {
    const slow = await new Promise<Socket>((resolve) => {
      const s = netConnect(b.port, "127.0.0.1", () => resolve(s));
    });
    slow.on("error", () => {});
    slow.pause(); // never reads: the kernel buffers fill, then the broker's
    slow.write(mqttPacket.generate(connectPacket("slow", 4), { protocolVersion: 4 }));
    slow.write(mqttPacket.generate({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "load/#", qos: 1 }] }, { protocolVersion: 4 }));
    await waitFor(() => b.broker.core.sessions.get("slow")?.subscriptions.size === 1, "the slow subscription");
    const fast = await pool.connect({ clientId: "fast" });
    const got = collect(fast);
    await subscribe(fast, "load/#", { qos: 1 });
    const session = b.broker.core.sessions.get("slow")!;
    const payload = new Uint8Array(4096).fill(0x61);
    const packet = 4096 + 20;
    let maxBuffered = 0, maxQueued = 0;
    const total = 3000;
    for (let i = 0; i < total; i += 20) { // QoS 0 and QoS 1 alternating, paced by the fast subscriber
      for (let k = i; k < i + 20; k++) b.broker.publish(`load/${k}`, payload, { qos: (k % 2) as 0 | 1 });
      await got.waitFor(i + 20, 10_000);
      maxBuffered = Math.max(maxBuffered, (session.link as Client).conn.bufferedAmount);
      maxQueued = Math.max(maxQueued, session.queue.length);
    }
    assert.equal(got.length, total, "the reading subscriber got everything");
    const stats = b.broker.stats;
    assert.ok(stats.droppedCongested > 0 && stats.droppedQueueFull > 0, JSON.stringify(stats));
    assert.ok(maxQueued <= 50 && maxQueued > 0, `queue ${maxQueued}`);
    assert.ok(maxBuffered <= 128 * 1024 + packet, `buffered ${maxBuffered}`);
    slow.destroy();
  }));
