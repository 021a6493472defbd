// Durable state across a broker restart (in process, the real SQLite file in a temp data
// directory): retained messages with properties and expiry, persistent sessions with their
// subscriptions (options, identifiers, shared groups), expiry deadlines applied across the
// downtime, persistent_client_expiration, acks written only after their commit, clean sessions
// writing nothing, and the data-directory lock.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Broker } from "../../src/broker/broker.ts";
import type { BrokerOptions } from "../../src/broker/options.ts";
import { MemoryBackend } from "../../src/storage/memory.ts";
import { StorageError, type StoreOp } from "../../src/storage/types.ts";
import { sleep } from "../helpers/broker.ts";
import { connectPacket, RawClient } from "../helpers/raw.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), "vireo-restart-"));
  dirs.push(d);
  return d;
}

/** Runs `body` against a broker on `dir` (persistence on), closing both afterwards. */
async function withDurable(opts: BrokerOptions, body: (port: number, b: Broker) => Promise<void>): Promise<void> {
  // No $SYS tree: its retained values would show in the counts (they are never stored: see sys_tree.test.ts).
  const b = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, sysInterval: 0, ...opts });
  const { port } = await b.listen();
  const clients: RawClient[] = [];
  const open = RawClient.open;
  RawClient.open = async (p: number, l: number) => {
    const c = await open.call(RawClient, p, l);
    clients.push(c);
    return c;
  };
  try {
    await body(port, b);
  } finally {
    RawClient.open = open;
    for (const c of clients) c.destroy();
    await b.close();
  }
}

async function connect(port: number, id: string, level: number, extra: Record<string, unknown> = {}) {
  const c = await RawClient.open(port, level);
  c.sendPacket(connectPacket(id, level, extra), level);
  const ack = await c.next("connack");
  return { c, ack };
}

test("retained messages survive a restart with their properties; an expired one does not", async () => {
  const dir = dataDir();
  await withDurable({ persistenceLocation: dir }, async (port) => {
    const { c } = await connect(port, "pub", 5);
    c.sendPacket({ cmd: "publish", topic: "s/1", payload: "one", qos: 1, messageId: 1, retain: true,
      properties: { contentType: "text/plain", userProperties: { k: "v" }, messageExpiryInterval: 3600 } }, 5);
    c.sendPacket({ cmd: "publish", topic: "s/2", payload: "two", qos: 0, retain: true }, 5);
    c.sendPacket({ cmd: "publish", topic: "s/short", payload: "x", qos: 1, messageId: 2, retain: true, properties: { messageExpiryInterval: 1 } }, 5);
    c.sendPacket({ cmd: "publish", topic: "s/gone", payload: "y", qos: 1, messageId: 3, retain: true }, 5);
    c.sendPacket({ cmd: "publish", topic: "s/gone", payload: "", qos: 1, messageId: 4, retain: true }, 5); // deletes it
    for (let i = 0; i < 4; i++) await c.next("puback");
  });
  await sleep(1100); // s/short expires while the broker is down
  await withDurable({ persistenceLocation: dir }, async (port, b) => {
    assert.equal(b.core.retained.size, 2);
    const { c } = await connect(port, "sub", 5);
    c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "s/#", qos: 1 }] }, 5);
    await c.next("suback");
    const got = [await c.next("publish"), await c.next("publish")].sort((x, y) => x.topic.localeCompare(y.topic));
    assert.deepEqual(got.map((p) => [p.topic, String(p.payload), p.retain, p.qos]), [["s/1", "one", true, 1], ["s/2", "two", true, 0]]);
    assert.equal(got[0].properties.contentType, "text/plain");
    assert.equal(got[0].properties.userProperties.k, "v");
    assert.ok(got[0].properties.messageExpiryInterval <= 3600 && got[0].properties.messageExpiryInterval > 3590);
    await sleep(100);
    assert.equal(c.packets.filter((p) => p.cmd === "publish").length, 0);
  });
});

test("persistent sessions and their subscriptions (options, ids, shared groups) survive a restart", async () => {
  const dir = dataDir();
  await withDurable({ persistenceLocation: dir }, async (port) => {
    const v5 = await connect(port, "v5", 5, { clean: false, properties: { sessionExpiryInterval: 3600 } });
    v5.c.sendPacket({ cmd: "subscribe", messageId: 1, properties: { subscriptionIdentifier: 42 },
      subscriptions: [{ topic: "a/+", qos: 2, nl: true, rap: true, rh: 1 }] }, 5);
    await v5.c.next("suback");
    v5.c.sendPacket({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "$share/g/j/#", qos: 1 }] }, 5);
    await v5.c.next("suback");
    v5.c.sendPacket({ cmd: "subscribe", messageId: 3, subscriptions: [{ topic: "drop/me", qos: 1 }] }, 5);
    await v5.c.next("suback");
    v5.c.sendPacket({ cmd: "unsubscribe", messageId: 4, unsubscriptions: ["drop/me"] }, 5);
    await v5.c.next("unsuback");
    v5.c.sendPacket({ cmd: "disconnect" }, 5);
    const v4 = await connect(port, "v4", 4, { clean: false });
    v4.c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "b", qos: 1 }] }, 4);
    await v4.c.next("suback"); // still connected when the broker stops
    const clean = await connect(port, "clean", 4, { clean: true });
    clean.c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "b", qos: 1 }] }, 4);
    await clean.c.next("suback");
    const zero = await connect(port, "zero", 5, { clean: false }); // v5 expiry 0: ends with its connection
    zero.c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "b", qos: 1 }] }, 5);
    await zero.c.next("suback");
  });
  await withDurable({ persistenceLocation: dir }, async (port, b) => {
    assert.deepEqual([...b.core.sessions.values()].map((s) => s.clientId).sort(), ["v4", "v5"]);
    const v5 = await connect(port, "v5", 5, { clean: false, properties: { sessionExpiryInterval: 3600 } });
    assert.equal(v5.ack.sessionPresent, true);
    const v4 = await connect(port, "v4", 4, { clean: false });
    assert.equal(v4.ack.sessionPresent, true);
    const pub = await connect(port, "pub", 5);
    pub.c.sendPacket({ cmd: "publish", topic: "a/x", payload: "1", qos: 1, messageId: 1 }, 5);
    pub.c.sendPacket({ cmd: "publish", topic: "j/k", payload: "2", qos: 1, messageId: 2 }, 5);
    pub.c.sendPacket({ cmd: "publish", topic: "drop/me", payload: "3", qos: 1, messageId: 3 }, 5);
    pub.c.sendPacket({ cmd: "publish", topic: "b", payload: "4", qos: 1, messageId: 4 }, 5);
    const a = await v5.c.next("publish");
    assert.equal(a.topic, "a/x");
    assert.equal(a.qos, 1);
    assert.deepEqual(a.properties.subscriptionIdentifier, 42);
    assert.equal((await v5.c.next("publish")).topic, "j/k"); // the shared group member is back
    assert.equal((await v4.c.next("publish")).topic, "b");
    // No Local came back too: v5's own publish to a/x is not sent to it.
    v5.c.sendPacket({ cmd: "publish", topic: "a/self", payload: "5", qos: 1, messageId: 9 }, 5);
    await v5.c.next("puback");
    await sleep(100);
    assert.deepEqual(v5.c.packets.filter((p) => p.cmd === "publish").map((p) => p.topic), []);
    const z = await connect(port, "zero", 5, { clean: false });
    assert.equal(z.ack.sessionPresent, false);
  });
});

test("session expiry deadlines run across the downtime; persistentClientExpiration bounds 3.1.1 sessions", async () => {
  const dir = dataDir();
  await withDurable({ persistenceLocation: dir, persistentClientExpiration: 1 }, async (port) => {
    const short = await connect(port, "short", 5, { clean: false, properties: { sessionExpiryInterval: 1 } });
    short.c.sendPacket({ cmd: "disconnect" }, 5);
    const long = await connect(port, "long", 5, { clean: false, properties: { sessionExpiryInterval: 3600 } });
    long.c.sendPacket({ cmd: "disconnect" }, 5);
    const old = await connect(port, "old", 4, { clean: false }); // never expires, but idle for 1 s at most
    old.c.sendPacket({ cmd: "disconnect" }, 4);
    await sleep(100);
  });
  await sleep(1200);
  await withDurable({ persistenceLocation: dir }, async (port, b) => {
    assert.deepEqual([...b.core.sessions.values()].map((s) => s.clientId), ["long"]);
    assert.equal((await connect(port, "short", 5, { clean: false })).ack.sessionPresent, false);
    assert.equal((await connect(port, "old", 4, { clean: false })).ack.sessionPresent, false);
  });
});

test("acks wait for the commit holding their effect; clean sessions and QoS 0 write nothing", async () => {
  const backend = new MemoryBackend();
  const commits: StoreOp[][] = [];
  const commit = backend.commit.bind(backend);
  backend.commit = (ops) => (commits.push([...ops]), commit(ops));
  await withDurable({ storage: backend }, async (port, b) => {
    const clean = await connect(port, "clean", 5);
    clean.c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "t/#", qos: 2 }] }, 5);
    await clean.c.next("suback");
    for (let i = 1; i <= 20; i++) clean.c.sendPacket({ cmd: "publish", topic: "t/x", payload: "p", qos: (i % 3) as 0 | 1 | 2, messageId: i }, 5);
    for (let i = 0; i < 20; i++) await clean.c.next("publish");
    assert.equal(b.core.journal!.recorded, 0);
    assert.equal(commits.length, 0);
    // A retained QoS 1 publish: its PUBACK arrives only once the message is committed.
    const r = await connect(port, "retainer", 5); // its only PUBACK is this one
    r.c.sendPacket({ cmd: "publish", topic: "r", payload: "kept", qos: 1, messageId: 100, retain: true }, 5);
    await r.c.next("puback");
    assert.equal(backend.load().retained.length, 1);
    // A persistent session: CONNACK after its row, SUBACK after its subscription.
    const p = await connect(port, "p", 5, { clean: false, properties: { sessionExpiryInterval: 60 } });
    assert.equal(backend.load().sessions[0].session.clientId, "p");
    p.c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "x", qos: 1 }] }, 5);
    await p.c.next("suback");
    assert.deepEqual(backend.load().sessions[0].subscriptions.map((s) => s.filter), ["x"]);
    assert.ok(commits.length >= 3);
  });
});

test("a second broker on a held data directory refuses, naming the directory and the holder", async () => {
  const dir = dataDir();
  const first = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir });
  await first.open();
  try {
    const second = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir });
    await assert.rejects(second.open(), (err: Error) =>
      err instanceof StorageError && err.message === `data directory ${dir} is in use by another broker (pid ${process.pid})`);
  } finally {
    await first.close();
  }
  const third = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir });
  await third.open(); // released at close
  await third.close();
});

test("a client that publishes retained QoS 1 and disconnects in the same packet batch still gets its PUBACK first", async () => {
  const dir = dataDir();
  await withDurable({ persistenceLocation: dir }, async (port) => {
    const c = await RawClient.open(port, 4);
    c.sendPacket(connectPacket("quick", 4), 4);
    await c.next("connack");
    const { default: mqttPacket } = await import("mqtt-packet");
    // One write: PUBLISH (retained, QoS 1) + DISCONNECT: the ack waits for the commit, the close must not drop it.
    const bytes = Buffer.concat([
      mqttPacket.generate({ cmd: "publish", topic: "r/q", payload: Buffer.from("v"), qos: 1, messageId: 7, retain: true, dup: false }),
      mqttPacket.generate({ cmd: "disconnect" }),
    ]);
    c.send(new Uint8Array(bytes));
    assert.equal((await c.next("puback")).messageId, 7);
    assert.ok(await c.waitClosed());
  });
});
