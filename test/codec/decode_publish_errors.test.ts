// Annotated fixtures for the PUBLISH errors of the "wildcards in a PUBLISH topic → 0x90" issue and
// its neighbours: each wire field on its own line with its meaning and spec tag, and the reason
// code the decoder must put in the (last) frame. The broker turns a reason into DISCONNECT (v5) or
// a close (3.1.1); that mapping is tested in test/broker/errors.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import { type Fixture, fixtureBytes } from "../fixtures/fixture.ts";

const decoders = createDecoderFactory(createCodecWasm());

/** An invalid packet: the frame's reason replaces the Packet a valid fixture decodes to. */
interface BadFixture extends Omit<Fixture, "packet" | "direction"> {
  readonly reason: number;
}

const BAD: readonly BadFixture[] = [
  {
    name: "v5 PUBLISH topic 'a/+'", level: 5, reason: 0x90,
    fields: [
      [0x30, "PUBLISH qos 0"],
      [6, "remaining length"],
      [[0, 3], "topic length"],
      ["a/+", "topic name with a single-level wildcard: Topic Name invalid [MQTT-3.3.2-2]"],
      [0, "property length"],
    ],
  },
  {
    name: "v5 PUBLISH qos 1 topic 'a/#' with a payload", level: 5, reason: 0x90,
    fields: [
      [0x32, "PUBLISH qos 1"],
      [10, "remaining length"],
      [[0, 3], "topic length"],
      ["a/#", "topic name with a multi-level wildcard [MQTT-3.3.2-2]"],
      [[0, 7], "packet identifier"],
      [0, "property length"],
      ["hi", "payload"],
    ],
  },
  {
    name: "3.1.1 PUBLISH topic 'sensors/+'", level: 4, reason: 0x90,
    fields: [
      [0x30, "PUBLISH qos 0"],
      [12, "remaining length"],
      [[0, 9], "topic length"],
      ["sensors/+", "wildcard in a topic name [MQTT-3.3.2-2] (3.1.1: the connection is closed)"],
      ["x", "payload"],
    ],
  },
  {
    // What test/broker/errors.test.ts sends: at level 5 it lacks the property length, so it is
    // malformed before its topic is judged. This is where a "0x81 for a wildcard" comes from.
    name: "v5 PUBLISH 'a/+' without its property length", level: 5, reason: 0x81,
    fields: [
      [0x30, "PUBLISH qos 0"],
      [5, "remaining length: the topic only"],
      [[0, 3], "topic length"],
      ["a/+", "topic name"],
      // property length missing: reading it runs past the packet (§3.3.2.3.1) → Malformed
    ],
  },
  {
    name: "v5 PUBLISH topic with U+0000", level: 5, reason: 0x81,
    fields: [
      [0x30, "PUBLISH qos 0"],
      [6, "remaining length"],
      [[0, 3], "topic length"],
      [[0x61, 0x00, 0x62], "'a' U+0000 'b': a UTF-8 string must not contain U+0000 [MQTT-1.5.4-2]"],
      [0, "property length"],
    ],
  },
  {
    name: "v5 PUBLISH qos 3", level: 5, reason: 0x81,
    fields: [
      [0x36, "PUBLISH with both QoS bits set: Malformed [MQTT-3.3.1-4]"],
      [6, "remaining length"],
      [[0, 1], "topic length"],
      ["t", "topic name"],
      [[0, 1], "packet identifier"],
      [0, "property length"],
    ],
  },
  {
    name: "v5 PUBLISH qos 0 with DUP", level: 5, reason: 0x81,
    fields: [
      [0x38, "PUBLISH DUP set on qos 0 [MQTT-3.3.1-2]"],
      [4, "remaining length"],
      [[0, 1], "topic length"],
      ["t", "topic name"],
      [0, "property length"],
    ],
  },
  {
    name: "v5 PUBACK with reserved flag bits 0010", level: 5, reason: 0x81,
    fields: [
      [0x42, "PUBACK, flags must be 0000 [MQTT-2.1.3-1]"],
      [2, "remaining length"],
      [[0, 1], "packet identifier"],
    ],
  },
  {
    name: "v5 SUBSCRIBE with reserved flag bits 0000", level: 5, reason: 0x81,
    fields: [
      [0x80, "SUBSCRIBE, flags must be 0010 [MQTT-3.8.1-1] [MQTT-2.1.3-1]"],
      [7, "remaining length"],
      [[0, 1], "packet identifier"],
      [0, "property length"],
      [[0, 1], "filter length"],
      ["a", "topic filter"],
      [0, "subscription options"],
    ],
  },
  {
    // A zero Packet Identifier parses: the packet holds data the protocol forbids, which MQTT 5
    // §1.2 calls a Protocol Error (0x82), not a Malformed Packet (0x81: cannot be parsed).
    // Mosquitto and mochi-mqtt answer 0x82 as well.
    name: "v5 PUBLISH qos 1 with packet identifier 0", level: 5, reason: 0x82,
    fields: [
      [0x32, "PUBLISH qos 1"],
      [6, "remaining length"],
      [[0, 1], "topic length"],
      ["t", "topic name"],
      [[0, 0], "packet identifier 0: must be non-zero [MQTT-2.2.1-3]"],
      [0, "property length"],
    ],
  },
];

/** The fixture's bytes (the Packet is never read: these do not decode to one). */
function wire(f: BadFixture): Uint8Array {
  return fixtureBytes({ ...f, direction: "c2s", packet: { type: 12 } });
}

/** A valid PINGREQ, to show the bad frame ends the batch. */
const PINGREQ = Uint8Array.of(0xc0, 0x00);

for (const f of BAD) {
  test(`${f.name} → 0x${f.reason.toString(16)}`, () => {
    const bytes = wire(f);
    assert.equal(bytes[1], bytes.length - 2, "the fixture's remaining length matches its fields");
    const stream = Uint8Array.from([...PINGREQ, ...bytes, ...PINGREQ]);
    const batch = decoders({ protocolLevel: f.level }).push(stream);
    assert.equal(batch.count, 2, "the invalid frame is the last one");
    assert.equal(batch.reason(0), 0);
    assert.equal(batch.reason(1), f.reason);
    assert.throws(() => batch.packet(1));
  });
}
