// Server-to-client topic aliases (MQTT 5.0 §3.3.2.3.4): assigned per connection to a client that
// announced a Topic Alias Maximum, never above it [MQTT-3.3.2-10], first use = topic + alias, later
// uses = empty topic + alias, reset on reconnect; the first N distinct topics get aliases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

/** A raw v5 subscriber to `filter` that announced `aliasMax` (undefined: no property). */
async function rawSubscriber(w: World, id: string, filter: string, aliasMax?: number, qos = 0): Promise<RawClient> {
  const c = await w.raw.open(5);
  const properties = aliasMax === undefined ? {} : { topicAliasMaximum: aliasMax };
  c.sendPacket(connectPacket(id, 5, { properties }), 5);
  assert.equal((await c.next("connack")).reasonCode, 0);
  c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: filter, qos }] }, 5);
  await c.next("suback");
  return c;
}

/** The next `n` PUBLISH packets as [topic, alias or undefined, payload]. */
async function nextPublishes(c: RawClient, n: number): Promise<Array<[string, number | undefined, string]>> {
  const out: Array<[string, number | undefined, string]> = [];
  for (let i = 0; i < n; i++) {
    const p = await c.next("publish");
    out.push([p.topic, p.properties?.topicAlias, String(p.payload)]);
  }
  return out;
}

test("first N distinct topics get aliases: topic + alias on first use, empty topic + alias after; others in full [MQTT-3.3.2-10]", () =>
  withBroker({}, async (w) => {
    const c = await rawSubscriber(w, "s", "t/#", 2);
    const pub = await w.pool.connect({ clientId: "p" });
    for (const t of ["t/a", "t/b", "t/c", "t/a", "t/b", "t/c", "t/a"]) await pub.publishAsync(t, t, { qos: 0 });
    assert.deepEqual(await nextPublishes(c, 7), [
      ["t/a", 1, "t/a"], ["t/b", 2, "t/b"], ["t/c", undefined, "t/c"],
      ["", 1, "t/a"], ["", 2, "t/b"], ["t/c", undefined, "t/c"], ["", 1, "t/a"],
    ]);
  }));

test("QoS 1 and 2 deliveries are aliased with their packet ids intact (acks complete)", () =>
  withBroker({}, async (w) => {
    const c = await rawSubscriber(w, "s", "q/#", 5, 2);
    const pub = await w.pool.connect({ clientId: "p", protocolVersion: 5 });
    await pub.publishAsync("q/x", "1", { qos: 1 });
    await pub.publishAsync("q/x", "2", { qos: 2 });
    const a = await c.next("publish");
    assert.deepEqual([a.topic, a.properties?.topicAlias, a.qos], ["q/x", 1, 1]);
    c.sendPacket({ cmd: "puback", messageId: a.messageId }, 5);
    const b = await c.next("publish");
    assert.deepEqual([b.topic, b.properties?.topicAlias, b.qos, String(b.payload)], ["", 1, 2, "2"]);
    c.sendPacket({ cmd: "pubrec", messageId: b.messageId }, 5);
    assert.equal((await c.next("pubrel")).messageId, b.messageId);
    c.sendPacket({ cmd: "pubcomp", messageId: b.messageId }, 5);
    await sleep(100);
    assert.equal(w.b.broker.core.sessions.get("s")!.inflight.size, 0);
  }));

test("no aliases for a client that announced none, nor with outboundTopicAliasMaximum 0", async () => {
  for (const [config, aliasMax] of [[{}, undefined], [{ outboundTopicAliasMaximum: 0 }, 10]] as const) {
    await withBroker(config, async (w) => {
      const c = await rawSubscriber(w, "s", "n/#", aliasMax);
      const pub = await w.pool.connect({ clientId: "p" });
      for (let i = 0; i < 3; i++) await pub.publishAsync("n/x", `${i}`);
      assert.deepEqual(await nextPublishes(c, 3), [["n/x", undefined, "0"], ["n/x", undefined, "1"], ["n/x", undefined, "2"]]);
    });
  }
});

test("aliases are per connection and start afresh on reconnect [MQTT-3.3.2-7]", () =>
  withBroker({}, async (w) => {
    const one = await rawSubscriber(w, "one", "r/#", 4);
    const two = await rawSubscriber(w, "two", "r/#", 4);
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("r/1", "a");
    await pub.publishAsync("r/2", "b");
    assert.deepEqual(await nextPublishes(one, 2), [["r/1", 1, "a"], ["r/2", 2, "b"]]);
    assert.deepEqual(await nextPublishes(two, 2), [["r/1", 1, "a"], ["r/2", 2, "b"]]);
    one.destroy();
    await sleep(100);
    const again = await rawSubscriber(w, "one", "r/#", 4);
    await pub.publishAsync("r/2", "c");
    await pub.publishAsync("r/2", "d");
    assert.deepEqual(await nextPublishes(again, 2), [["r/2", 1, "c"], ["", 1, "d"]]);
    assert.deepEqual(await nextPublishes(two, 2), [["", 2, "c"], ["", 2, "d"]]);
  }));

test("MQTT.js as the receiving client decodes aliased messages to their topics", () =>
  withBroker({}, async (w) => {
    const sub = await w.pool.connect({ clientId: "js", protocolVersion: 5, properties: { topicAliasMaximum: 3 } });
    const got = collect(sub);
    await subscribe(sub, "m/#", { qos: 1 });
    const pub = await w.pool.connect({ clientId: "p" });
    const topics = ["m/a", "m/b", "m/c", "m/d", "m/a", "m/d", "m/b", "m/c", "m/a"];
    for (const t of topics) await pub.publishAsync(t, `payload of ${t}`, { qos: 1 });
    await got.waitFor(topics.length);
    assert.deepEqual(got.map((m) => m.topic), topics);
    assert.deepEqual(got.map((m) => m.payload), topics.map((t) => `payload of ${t}`));
    assert.equal(w.b.broker.core.sessions.get("js")!.link!.outboundAliases!.size, 3);
  }));

test("topics that differ only in their last bytes, or are prefixes of each other, keep their own aliases", () =>
  withBroker({}, async (w) => {
    // Lengths 3..10 (every remainder mod 4), pairs that differ in the last byte only, prefixes of each other.
    const topics = ["w/a", "w/b", "w/ab", "w/aa", "w/abc", "w/abd", "w/abcd", "w/abce", "w/abcde", "w/abcdf", "w/abcdef", "w/abcdeg"];
    const c = await rawSubscriber(w, "s", "w/#", topics.length);
    const pub = await w.pool.connect({ clientId: "p" });
    const order = [...topics, ...topics.slice().reverse(), ...topics];
    for (const t of order) await pub.publishAsync(t, t, { qos: 0 });
    const got = await nextPublishes(c, order.length);
    const first = got.slice(0, topics.length);
    assert.deepEqual(first, topics.map((t, i) => [t, i + 1, t]), "each new topic: topic + the next alias");
    // Later uses: empty topic, and the alias that topic got first (the payload names the topic).
    for (const [topic, alias, payload] of got.slice(topics.length)) {
      assert.deepEqual([topic, alias], ["", topics.indexOf(payload) + 1], `alias for ${payload}`);
    }
  }));

test("two topics with the same 32-bit hash get different aliases (the lookup compares the bytes)", () =>
  withBroker({}, async (w) => {
    // Found offline by a birthday search over the table's hash (src/session/outbound_aliases.ts).
    const [a, b] = ["sFIlIUIt", "tmvuhJ9U"];
    const c = await rawSubscriber(w, "s", "#", 4);
    const pub = await w.pool.connect({ clientId: "p" });
    for (const t of [a, b, a, b]) await pub.publishAsync(t, t, { qos: 0 });
    assert.deepEqual(await nextPublishes(c, 4), [[a, 1, a], [b, 2, b], ["", 1, a], ["", 2, b]]);
  }));

test("aliased packets written in place keep properties and large payloads intact (length fields that grow a byte, a burst past one batch buffer)", () =>
  withBroker({}, async (w) => {
    const c = await rawSubscriber(w, "s", "g/#", 4);
    const pub = await w.pool.connect({ clientId: "p", protocolVersion: 5 });
    // A user property of 126 bytes: + the 3-byte alias property the length needs 2 bytes, not 1.
    const properties = { userProperties: { k: "v".repeat(120) } };
    const big = "p".repeat(300); // > 256 bytes after the properties: copied with set(), not a loop
    await pub.publishAsync("g/x", big, { qos: 0, properties });
    await pub.publishAsync("g/x", big, { qos: 0, properties });
    for (let i = 0; i < 200; i++) void pub.publishAsync("g/y", `${i}:${big}`, { qos: 0 }); // ~60 KB in a burst
    for (let i = 0; i < 2; i++) {
      const p = await c.next("publish");
      assert.deepEqual([p.topic, p.properties?.topicAlias, String(p.payload)], [i === 0 ? "g/x" : "", 1, big]);
      assert.deepEqual({ ...p.properties?.userProperties }, properties.userProperties);
    }
    for (let i = 0; i < 200; i++) {
      const p = await c.next("publish");
      assert.deepEqual([p.topic, p.properties?.topicAlias, String(p.payload)], [i === 0 ? "g/y" : "", 2, `${i}:${big}`]);
    }
  }));

test("one message to several aliasing connections: each uses its own aliases (the topic is hashed once per message)", () =>
  withBroker({}, async (w) => {
    const one = await rawSubscriber(w, "one", "f/#", 4);
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("f/a", "0");
    assert.deepEqual(await nextPublishes(one, 1), [["f/a", 1, "0"]]);
    const two = await rawSubscriber(w, "two", "f/#", 4);
    const plain = await rawSubscriber(w, "plain", "f/#");
    for (const [i, t] of ["f/b", "f/a", "f/b", "f/a", "f/c"].entries()) await pub.publishAsync(t, `${i + 1}`);
    assert.deepEqual(await nextPublishes(one, 5), [["f/b", 2, "1"], ["", 1, "2"], ["", 2, "3"], ["", 1, "4"], ["f/c", 3, "5"]]);
    assert.deepEqual(await nextPublishes(two, 5), [["f/b", 1, "1"], ["f/a", 2, "2"], ["", 1, "3"], ["", 2, "4"], ["f/c", 3, "5"]]);
    assert.deepEqual(await nextPublishes(plain, 5), [["f/b", undefined, "1"], ["f/a", undefined, "2"], ["f/b", undefined, "3"], ["f/a", undefined, "4"], ["f/c", undefined, "5"]]);
  }));

test("with persistence, aliased messages behind a SUBACK held for the commit keep their order and aliases", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-alias-held-"));
  try {
    await withBroker({ persistence: true, persistenceLocation: dir }, async (w) => {
      const pub = await w.pool.connect({ clientId: "p" });
      for (const t of ["h/a", "h/b"]) await pub.publishAsync(t, t, { qos: 0, retain: true });
      const c = await w.raw.open(5);
      // A lasting session: its subscription is journalled, so the SUBACK waits for the commit and
      // the retained messages sent after it wait with it.
      c.sendPacket(connectPacket("s", 5, { clean: false, properties: { sessionExpiryInterval: 60, topicAliasMaximum: 4 } }), 5);
      assert.equal((await c.next("connack")).reasonCode, 0);
      c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "h/#", qos: 0 }] }, 5);
      for (let t = 0; t < 300 && c.packets.length < 3; t++) await sleep(10);
      assert.deepEqual(c.packets.map((p) => p.cmd), ["suback", "publish", "publish"]);
      const pubs = c.packets.slice(1).map((p) => [p.topic, p.properties?.topicAlias, String(p.payload)]);
      assert.deepEqual(pubs, [["h/a", 1, "h/a"], ["h/b", 2, "h/b"]]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
