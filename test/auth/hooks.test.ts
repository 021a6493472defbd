// Embedder hooks: an asynchronous authenticate (other clients keep being served; packets sent
// behind the CONNECT wait and run in order), authorizePublish / authorizeSubscribe (cached per
// client and topic), and where the broker binds by default.
import { test } from "node:test";
import assert from "node:assert/strict";
import mqttPacket from "mqtt-packet";
import { Buffer } from "node:buffer";
import { Broker } from "../../src/broker/broker.ts";
import { withBroker } from "../helpers/setup.ts";
import { sleep } from "../helpers/broker.ts";
import { connectPacket, RawPool } from "../helpers/raw.ts";
import { makeAuthFiles } from "./fixtures.ts";

const gen = (p: Record<string, unknown>, level = 4) => mqttPacket.generate(p as never, { protocolVersion: level });

test("async authenticate: other clients are served meanwhile; packets sent behind the CONNECT run after it, in order", async () => {
  let release: (code: number) => void = () => {};
  const hooks = {
    authenticate: (info: { username?: string }) =>
      info.username === "slow" ? new Promise<number>((r) => (release = r)) : 0,
  };
  await withBroker({ hooks }, async ({ raw }) => {
    const slow = await raw.open(4);
    // CONNECT, SUBSCRIBE, PUBLISH in one write, then half a PUBLISH, then its rest.
    const first = Buffer.concat([
      gen(connectPacket("slow", 4, { username: "slow" })),
      gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "t/#", qos: 1 }] }),
      gen({ cmd: "publish", topic: "t/1", qos: 1, messageId: 2, payload: "one" }),
    ]);
    const second = gen({ cmd: "publish", topic: "t/2", qos: 1, messageId: 3, payload: "two" });
    slow.send(Buffer.concat([first, second.subarray(0, 5)]));
    await sleep(50);
    slow.send(second.subarray(5));
    const quick = await raw.open(4);
    quick.sendPacket(connectPacket("quick"));
    assert.equal((await quick.next("connack")).returnCode, 0); // not stalled behind "slow"
    quick.sendPacket({ cmd: "pingreq" });
    await quick.next("pingresp");
    assert.equal(slow.packets.length, 0); // nothing answered before the verdict
    release(0);
    assert.equal((await slow.next("connack")).returnCode, 0);
    await slow.next("suback");
    const p1 = await slow.next("publish"), p2 = await slow.next("publish");
    assert.deepEqual([p1.topic, p2.topic], ["t/1", "t/2"]);
    assert.deepEqual(slow.packets.filter((p) => p.cmd === "puback").map((p) => p.messageId), [2, 3]);
  });
});

test("async authenticate refusing: CONNACK 0x86 after the wait, held packets dropped unrouted", async () => {
  const hooks = { authenticate: () => new Promise<number>((r) => setTimeout(() => r(0x86), 50)) };
  await withBroker({ hooks, allowAnonymous: true }, async ({ b, raw }) => {
    let routed = 0;
    const c = await raw.open(5);
    c.send(Buffer.concat([
      gen(connectPacket("x", 5, { username: "u" }), 5),
      gen({ cmd: "publish", topic: "t", qos: 0, payload: "no" }, 5),
    ]));
    assert.equal((await c.next("connack")).reasonCode, 0x86);
    assert.equal(await c.waitClosed(), true);
    routed = b.broker.stats.publishesReceived;
    assert.equal(routed, 0);
  });
});

test("authorizePublish / authorizeSubscribe: asked once per client and topic, answers enforced", async () => {
  const asked: string[] = [];
  const hooks = {
    authorizePublish: (c: { username: string | undefined }, topic: string) => (asked.push(`pub ${topic}`), topic !== "no"),
    authorizeSubscribe: (_c: unknown, filter: string) => (asked.push(`sub ${filter}`), filter !== "no/#"),
  };
  await withBroker({ hooks }, async ({ raw }) => {
    const c = await raw.open(5);
    c.sendPacket(connectPacket("h", 5), 5);
    await c.next("connack");
    c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "yes", qos: 0 }, { topic: "no/#", qos: 0 }] }, 5);
    assert.deepEqual((await c.next("suback")).granted, [0, 0x87]);
    for (let i = 0; i < 5; i++) {
      c.sendPacket({ cmd: "publish", topic: "no", qos: 1, messageId: 10 + i, payload: "x" }, 5);
      assert.equal((await c.next("puback")).reasonCode, 0x87);
      c.sendPacket({ cmd: "publish", topic: "yes", qos: 1, messageId: 20 + i, payload: "x" }, 5);
      assert.equal((await c.next("puback")).reasonCode ?? 0, 0);
      await c.next("publish");
    }
    assert.deepEqual(asked, ["sub yes", "sub no/#", "pub no", "pub yes"]);
  });
});

test("bind address: 127.0.0.1 without authentication, 0.0.0.0 with a password file, an explicit host as given", () => {
  const files = makeAuthFiles();
  try {
    assert.equal(new Broker({ port: 0, log: () => {} }).bindHost, "127.0.0.1");
    assert.equal(new Broker({ port: 0, log: () => {}, passwordFile: files.passwordFile }).bindHost, "0.0.0.0");
    assert.equal(new Broker({ port: 0, log: () => {}, hooks: { authenticate: () => 0 } }).bindHost, "0.0.0.0");
    assert.equal(new Broker({ port: 0, log: () => {}, host: "0.0.0.0" }).bindHost, "0.0.0.0");
    assert.equal(new Broker({ port: 0, log: () => {}, host: "0.0.0.0" }).allowsAnonymous, true);
    assert.equal(new Broker({ port: 0, log: () => {}, passwordFile: files.passwordFile }).allowsAnonymous, false);
    assert.equal(new Broker({ port: 0, log: () => {}, passwordFile: files.passwordFile, allowAnonymous: true }).allowsAnonymous, true);
  } finally {
    files.remove();
  }
});

test("the warm-up's own clients bypass access control (it would be refused and stay cold); real clients do not", async () => {
  const files = makeAuthFiles();
  const asked = { connect: 0, publish: 0 };
  const broker = new Broker({
    host: "127.0.0.1", port: 0, log: () => {}, passwordFile: files.passwordFile, aclFile: files.aclFile, allowAnonymous: true,
    hooks: { authenticate: () => (asked.connect++, 0), authorizePublish: () => (asked.publish++, true) },
  });
  try {
    await broker.warmUp(5000);
    assert.deepEqual(asked, { connect: 0, publish: 0 });
    const { port } = await broker.listen();
    const raw = new RawPool(port);
    try {
      const c = await raw.open(5);
      c.sendPacket(connectPacket("anon", 5), 5);
      assert.equal((await c.next("connack")).reasonCode, 0);
      c.sendPacket({ cmd: "publish", topic: "$vireo/warmup", qos: 1, messageId: 1, payload: "x" }, 5);
      assert.equal((await c.next("puback")).reasonCode, 0x87); // the ACL has no rule for it
      assert.deepEqual(asked, { connect: 1, publish: 0 }); // the ACL said no before the hook was asked
    } finally {
      raw.destroyAll();
    }
  } finally {
    await broker.close();
    files.remove();
  }
});
