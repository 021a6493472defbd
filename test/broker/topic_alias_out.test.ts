// Server-to-client topic aliases (MQTT 5.0 §3.3.2.3.4): assigned per connection to a client that
// announced a Topic Alias Maximum, never above it [MQTT-3.3.2-10], first use = topic + alias, later
// uses = empty topic + alias, reset on reconnect; the first N distinct topics get aliases.
import { test } from "node:test";
import assert from "node:assert/strict";
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
