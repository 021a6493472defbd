// Queued and in-flight QoS 1/2 messages of stored sessions across a restart (in process, SQLite):
// queued ones arrive after it, unacknowledged ones come again with DUP under their packet ids,
// a QoS 2 message whose PUBREC the client sent is followed by PUBREL only, an inbound QoS 2 id
// PUBREC'd before the restart is not delivered twice, and acknowledged messages are gone.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Broker } from "../../src/broker/broker.ts";
import { sleep } from "../helpers/broker.ts";
import { connectPacket, RawClient } from "../helpers/raw.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Open = (id: string, extra?: Record<string, unknown>) => Promise<{ c: RawClient; ack: any }>;

async function run(dir: string, body: (port: number, b: Broker, open: Open) => Promise<void>) {
  const b = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir });
  const { port } = await b.listen();
  const clients: RawClient[] = [];
  const open = async (id: string, extra: Record<string, unknown> = {}) => {
    const c = await RawClient.open(port, 4);
    clients.push(c);
    c.sendPacket(connectPacket(id, 4, extra), 4);
    return { c, ack: await c.next("connack") };
  };
  try {
    await body(port, b, open);
  } finally {
    for (const c of clients) c.destroy();
    await b.close();
  }
}

test("queued and in-flight QoS 1/2 messages and inbound QoS 2 ids survive a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-msgs-"));
  dirs.push(dir);
  await run(dir, async (_port, _b, open) => {
    const sub = await open("sub", { clean: false });
    sub.c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "q/#", qos: 2 }] }, 4);
    await sub.c.next("suback");
    const pub = await open("pub", { clean: false });
    // Online: three go out; the subscriber acks none, PUBRECs the QoS 2 one.
    pub.c.sendPacket({ cmd: "publish", topic: "q/1", payload: "one", qos: 1, messageId: 1 }, 4);
    pub.c.sendPacket({ cmd: "publish", topic: "q/2", payload: "two", qos: 2, messageId: 2 }, 4);
    pub.c.sendPacket({ cmd: "publish", topic: "q/3", payload: "three", qos: 1, messageId: 3 }, 4);
    await pub.c.next("puback");
    await pub.c.next("pubrec");
    await pub.c.next("puback");
    const got = [await sub.c.next("publish"), await sub.c.next("publish"), await sub.c.next("publish")];
    const two = got.find((p) => p.topic === "q/2")!;
    sub.c.sendPacket({ cmd: "pubrec", messageId: two.messageId }, 4);
    await sub.c.next("pubrel");
    const three = got.find((p) => p.topic === "q/3")!;
    sub.c.sendPacket({ cmd: "puback", messageId: three.messageId }, 4); // acked: must not come back
    await sleep(50);
    sub.c.destroy();
    await sleep(50);
    // Offline: two more queue up.
    pub.c.sendPacket({ cmd: "publish", topic: "q/4", payload: "four", qos: 2, messageId: 4 }, 4);
    pub.c.sendPacket({ cmd: "publish", topic: "q/5", payload: "five", qos: 1, messageId: 5 }, 4);
    await pub.c.next("pubrec");
    await pub.c.next("puback");
    // The publisher's QoS 2 message 2 is PUBREC'd but not released when the broker stops.
  });
  await run(dir, async (_port, b, open) => {
    assert.equal(b.core.sessions.get("sub")!.inflight.size, 2);
    assert.equal(b.core.sessions.get("sub")!.queue.length, 2);
    // The publisher re-sends message 2 (DUP) as its session requires: answered, not delivered again.
    const pub = await open("pub", { clean: false });
    assert.equal(pub.ack.sessionPresent, true);
    pub.c.sendPacket({ cmd: "publish", topic: "q/2", payload: "two", qos: 2, messageId: 2, dup: true }, 4);
    await pub.c.next("pubrec");
    pub.c.sendPacket({ cmd: "pubrel", messageId: 2 }, 4);
    await pub.c.next("pubcomp");
    const sub = await open("sub", { clean: false });
    assert.equal(sub.ack.sessionPresent, true);
    const first = await sub.c.next("publish");
    assert.deepEqual([first.topic, first.dup, first.qos], ["q/1", true, 1]); // unacknowledged: again with DUP [MQTT-3.3.1-1]
    const rel = await sub.c.next("pubrel"); // q/2 was PUBREC'd: only its PUBREL comes again
    const rest = [await sub.c.next("publish"), await sub.c.next("publish")];
    assert.deepEqual(rest.map((p) => [p.topic, String(p.payload), p.qos]), [["q/4", "four", 2], ["q/5", "five", 1]]);
    sub.c.sendPacket({ cmd: "puback", messageId: first.messageId }, 4);
    sub.c.sendPacket({ cmd: "pubcomp", messageId: rel.messageId }, 4);
    sub.c.sendPacket({ cmd: "pubrec", messageId: rest[0].messageId }, 4);
    await sub.c.next("pubrel");
    sub.c.sendPacket({ cmd: "pubcomp", messageId: rest[0].messageId }, 4);
    sub.c.sendPacket({ cmd: "puback", messageId: rest[1].messageId }, 4);
    await sleep(100);
    assert.deepEqual(sub.c.packets.filter((p) => p.cmd === "publish").map((p) => p.topic), []); // q/3 and the re-sent q/2 never came
  });
  await run(dir, async (_port, b, open) => {
    // Everything was acknowledged: nothing is owed any more, and no message is left in the file.
    const s = b.core.sessions.get("sub")!;
    assert.equal(s.inflight.size + s.queue.length, 0);
    const sub = await open("sub", { clean: false });
    assert.equal(sub.ack.sessionPresent, true);
    await sleep(100);
    assert.equal(sub.c.packets.length, 0);
  });
});

test("a delayed will fires after a restart at its deadline; one whose delay passed while down fires at restore", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-will-"));
  dirs.push(dir);
  const b1 = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir });
  const { port } = await b1.listen();
  const open5 = async (id: string, extra: Record<string, unknown>) => {
    const c = await RawClient.open(port, 5);
    c.sendPacket(connectPacket(id, 5, extra), 5);
    await c.next("connack");
    return c;
  };
  const watcher = await open5("watcher", { clean: false, properties: { sessionExpiryInterval: 3600 } });
  watcher.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "will/#", qos: 1 }] }, 5);
  await watcher.next("suback");
  const will = (topic: string, delay: number) => ({
    clean: false, properties: { sessionExpiryInterval: 3600 },
    will: { topic, payload: Buffer.from(`${topic} gone`), qos: 1, retain: false, properties: { willDelayInterval: delay } },
  });
  const slow = await open5("slow", will("will/slow", 2)); // connection dies with the broker
  const quick = await open5("quick", will("will/quick", 1));
  quick.destroy(); // dies before the broker: its 1 s delay runs out while the broker is down
  await sleep(100);
  // Simulate a crash: stop the broker without its shutdown (no wills, no DISCONNECT, sockets cut).
  const crashed = Date.now();
  await b1.core.journal!.log.flush();
  b1.core.journal!.log.stop();
  b1.core.journal!.muted = true; // nothing after the "crash" reaches the file
  slow.destroy();
  watcher.destroy();
  await b1.close();
  await sleep(1000);
  let firedAt = 0;
  await run(dir, async (_port, _b, open) => {
    void open;
    const w = await RawClient.open(_port, 5);
    w.sendPacket(connectPacket("watcher", 5, { clean: false, properties: { sessionExpiryInterval: 3600 } }), 5);
    await w.next("connack");
    const first = await w.next("publish"); // queued for the watcher while it was away
    assert.equal(first.topic, "will/quick");
    const second = await w.next("publish", 4000);
    firedAt = Date.now();
    assert.equal(second.topic, "will/slow");
    assert.equal(String(second.payload), "will/slow gone");
    w.destroy();
  });
  // slow's connection ended with the crash; its 2 s delay counts from the restart, not before.
  assert.ok(firedAt - crashed >= 2000, `fired ${firedAt - crashed} ms after the crash`);
});
