// Large messages: payloads beyond the codec's initial buffers (which grow WASM memory mid-route)
// arrive intact, at every level combination, together with the frames that follow them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import mqttPacket from "mqtt-packet";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

async function rawSubscriber(w: World, id: string, level: number, qos: number): Promise<RawClient> {
  const c = await w.raw.open(level);
  c.sendPacket(connectPacket(id, level), level);
  await c.next("connack");
  c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "big/#", qos }] }, level);
  await c.next("suback");
  return c;
}

for (const [pubLevel, subLevel, qos] of [[4, 5, 0], [5, 4, 1], [4, 4, 1], [5, 5, 0]] as const) {
  test(`a 3 MB payload from v${pubLevel} to v${subLevel} (QoS ${qos}) arrives intact, and the next frame too`, () =>
    withBroker({}, async (w) => {
      const sub = await rawSubscriber(w, "s", subLevel, qos);
      const p = await w.raw.open(pubLevel);
      p.sendPacket(connectPacket("p", pubLevel), pubLevel);
      await p.next("connack");
      const payload = Buffer.alloc(3 * 1024 * 1024);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
      const big = mqttPacket.generate({ cmd: "publish", topic: "big/one", payload, qos, messageId: 1, dup: false, retain: true } as never, { protocolVersion: pubLevel });
      const small = mqttPacket.generate({ cmd: "publish", topic: "big/two", payload: Buffer.from("after"), qos, messageId: 2, dup: false, retain: false } as never, { protocolVersion: pubLevel });
      p.send(new Uint8Array(Buffer.concat([big, small])));
      const a = await sub.next("publish", 10_000);
      const b = await sub.next("publish", 10_000);
      assert.equal(a.topic, "big/one");
      assert.equal(a.payload.length, payload.length);
      assert.ok(Buffer.compare(a.payload, payload) === 0, "payload bytes intact");
      assert.deepEqual([b.topic, String(b.payload)], ["big/two", "after"]);
      const late = await rawSubscriber(w, "late", subLevel, 0);
      const r = await late.next("publish", 10_000);
      assert.equal(r.retain, true);
      assert.ok(Buffer.compare(r.payload, payload) === 0, "retained copy intact");
    }));
}

test("a SUBSCRIBE with 5000 filters gets a 5000-code SUBACK, and the next frame is still served", () =>
  withBroker({}, async (w) => {
    const c = await w.raw.open(4);
    c.sendPacket(connectPacket("many", 4));
    await c.next("connack");
    const subscriptions = Array.from({ length: 5000 }, (_, k) => ({ topic: `m/${k}`, qos: (k % 3) as 0 | 1 | 2 }));
    const sub = mqttPacket.generate({ cmd: "subscribe", messageId: 9, subscriptions } as never, { protocolVersion: 4 });
    const ping = mqttPacket.generate({ cmd: "pingreq" } as never, { protocolVersion: 4 });
    c.send(new Uint8Array(Buffer.concat([sub, ping])));
    const ack = await c.next("suback", 10_000);
    assert.equal(ack.granted.length, 5000);
    assert.deepEqual(ack.granted.slice(0, 4), [0, 1, 2, 0]);
    await c.next("pingresp");
  }));
