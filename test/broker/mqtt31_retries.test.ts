// MQTT 3.1 (protocol level 3) retries: PUBREL, SUBSCRIBE and UNSUBSCRIBE resent with the DUP bit
// (MQTT 3.1 §2.1) are accepted on level 3; on 3.1.1 and 5.0 their flags must be exactly 0010
// [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1].
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

async function connected(w: World, id: string, level: number): Promise<RawClient> {
  const c = await w.raw.open(level);
  c.sendPacket(connectPacket(id, level), level);
  const ack = await c.next("connack");
  assert.equal(level === 5 ? ack.reasonCode : ack.returnCode, 0);
  return c;
}

/** SUBSCRIBE with DUP set: 8a, remaining 6, packet id 1, topic "a" (1 byte), requested QoS 0. */
const SUBSCRIBE_DUP = [0x8a, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00];
/** UNSUBSCRIBE with DUP set: aa, remaining 5, packet id 2, topic "a". */
const UNSUBSCRIBE_DUP = [0xaa, 0x05, 0x00, 0x02, 0x00, 0x01, 0x61];
/** PUBREL with DUP set for packet id 1. */
const PUBREL_DUP = [0x6a, 0x02, 0x00, 0x01];

test("MQTT 3.1: PUBREL, SUBSCRIBE and UNSUBSCRIBE retried with DUP are accepted and answered", () =>
  withBroker({}, async (w) => {
    const c = await connected(w, "v31", 3);
    c.send(SUBSCRIBE_DUP);
    const suback = await c.next("suback");
    assert.equal(suback.messageId, 1);
    assert.deepEqual(suback.granted, [0]);
    c.send(UNSUBSCRIBE_DUP);
    assert.equal((await c.next("unsuback")).messageId, 2);
    // QoS 2 publish, then the PUBREL retried with DUP (as a 3.1 client does after a timeout)
    c.sendPacket({ cmd: "publish", topic: "q2", payload: "x", qos: 2, messageId: 1 }, 3);
    assert.equal((await c.next("pubrec")).messageId, 1);
    c.send(PUBREL_DUP);
    assert.equal((await c.next("pubcomp")).messageId, 1);
    c.send(PUBREL_DUP); // and once more: still answered, connection still open
    assert.equal((await c.next("pubcomp")).messageId, 1);
    assert.equal(c.closed, false);
  }));

for (const [name, bytes] of [["PUBREL", PUBREL_DUP], ["SUBSCRIBE", SUBSCRIBE_DUP], ["UNSUBSCRIBE", UNSUBSCRIBE_DUP]] as const) {
  test(`3.1.1 and 5.0 still refuse ${name} with DUP set (flags must be 0010)`, () =>
    withBroker({}, async (w) => {
      const v4 = await connected(w, `v4-${name}`, 4);
      v4.send(bytes);
      assert.ok(await v4.waitClosed(), "3.1.1: closed");
      const v5 = await connected(w, `v5-${name}`, 5);
      v5.send(bytes);
      assert.equal((await v5.next("disconnect")).reasonCode, 0x81); // Malformed Packet
      assert.ok(await v5.waitClosed(), "5.0: closed after DISCONNECT");
    }));
}

test("MQTT 3.1: other flag bits on PUBREL are still refused (only DUP may be added)", () =>
  withBroker({}, async (w) => {
    const c = await connected(w, "v31-bad", 3);
    c.send([0x63, 0x02, 0x00, 0x01]); // QoS bits 01 + retain: not 0010 with or without DUP
    assert.ok(await c.waitClosed());
  }));
