// Packets that cannot be encoded throw a RangeError with a clear message (the caller's data, not
// wire input), and the encoder keeps working afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Packet, ProtocolLevel } from "../../src/protocol/packets.ts";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createEncoder } from "../../src/wasm/encoder.ts";

const encoder = createEncoder(createCodecWasm());
const empty = new Uint8Array(0);
const pub = (extra: Record<string, unknown>): Packet =>
  ({ type: 3, dup: false, qos: 0, retain: false, topic: "t", payload: empty, ...extra }) as Packet;
const connect = (extra: Record<string, unknown>): Packet =>
  ({ type: 1, protocolName: "MQTT", protocolLevel: 4, cleanStart: true, keepAlive: 0, clientId: "c", ...extra }) as Packet;
const long = "x".repeat(65536);

const CASES: Array<[string, Packet, ProtocolLevel, RegExp]> = [
  ["topic over 65,535 bytes", pub({ topic: long }), 4, /topic is longer than 65,535 bytes/],
  ["multi-byte topic over 65,535 bytes", pub({ topic: "€".repeat(21846) }), 4, /topic is longer/],
  ["client id over 65,535 bytes", connect({ clientId: long }), 4, /clientId is longer/],
  ["user property over 65,535 characters", pub({ properties: { userProperties: [["k", long]] } }), 5,
    /user property value is longer/],
  ["user property over 65,535 UTF-8 bytes", pub({ properties: { userProperties: [["k", "€".repeat(21846)]] } }), 5,
    /PUBLISH: property UserProperty \(0x26\) is longer than 65,535 bytes/],
  ["reason string over 65,535 UTF-8 bytes", { type: 4, packetId: 1, reasonCode: 0x80,
    properties: { reasonString: "€".repeat(21846) } }, 5, /PUBACK: property ReasonString \(0x1f\) is longer/],
  ["will payload over 65,535 bytes", connect({ will: { topic: "w", payload: new Uint8Array(65536), qos: 0,
    retain: false } }), 4, /will\.payload is longer/],
  ["PUBLISH QoS 3", pub({ qos: 3, packetId: 1 }), 4, /QoS 3 is not 0, 1 or 2/],
  ["SUBSCRIBE QoS 3", { type: 8, packetId: 1, subscriptions: [{ filter: "a", qos: 3 as 0 }] }, 4, /QoS 3/],
  ["will QoS 3", connect({ will: { topic: "w", payload: empty, qos: 3, retain: false } }), 4, /QoS 3/],
  ["QoS 1 without packet id", pub({ qos: 1 }), 4, /packetId must be an integer/],
  ["packet id 0", pub({ qos: 1, packetId: 0 }), 4, /packet identifier 0 is not 1\.\.65535/],
  ["packet id 65536", { type: 4, packetId: 65536 }, 4, /packet identifier 65536/],
  ["non-integer QoS", pub({ qos: 1.5, packetId: 1 }), 4, /qos must be an integer/],
  ["DUP on QoS 0", pub({ dup: true }), 4, /DUP must be 0 when QoS is 0/],
  ["empty topic (3.1.1)", pub({ topic: "" }), 4, /topic must not be empty/],
  ["'+' in a PUBLISH topic", pub({ topic: "a/+/c" }), 4, /PUBLISH: the topic name contains the wildcard '\+' \[MQTT-3\.3\.2-2\]/],
  ["'#' in a PUBLISH topic", pub({ topic: "a/#" }), 5, /contains the wildcard '#' \[MQTT-3\.3\.2-2\]/],
  ["'#' in a topic too long for the topic slot", pub({ topic: "x".repeat(400) + "#" }), 4, /wildcard '#'/],
  ["U+0000 in a PUBLISH topic", pub({ topic: "a\u0000b" }), 4, /topic name contains U\+0000 \[MQTT-1\.5\.4-2\]/],
  ["U+0000 in a long PUBLISH topic", pub({ topic: "sensors/building-7/floor\u0000" }), 5, /U\+0000/],
  ["empty topic without alias (5.0)", pub({ topic: "" }), 5, /topic must not be empty/],
  ["Topic Alias in CONNECT", connect({ properties: { topicAlias: 1 } }), 5, /TopicAlias \(0x23\) is not allowed/],
  ["Will Delay in PUBLISH", pub({ properties: { willDelayInterval: 1 } }), 5, /WillDelayInterval.*not allowed/],
  ["Receive Maximum 0", connect({ properties: { receiveMaximum: 0 } }), 5, /ReceiveMaximum.*out of range/],
  ["Payload Format Indicator 2", pub({ properties: { payloadFormatIndicator: 2 } }), 5, /PayloadFormatIndicator/],
  ["Topic Alias 65536", pub({ properties: { topicAlias: 65536 } }), 5, /TopicAlias.*out of range/],
  ["Subscription Identifier 0", pub({ properties: { subscriptionIdentifiers: [0] } }), 5, /SubscriptionIdentifier/],
  ["Subscription Identifier 2^28", pub({ properties: { subscriptionIdentifiers: [268435456] } }), 5, /out of range/],
  ["two Subscription Identifiers in SUBSCRIBE", { type: 8, packetId: 1, subscriptions: [{ filter: "a", qos: 0 }],
    properties: { subscriptionIdentifiers: [1, 2] } }, 5, /SubscriptionIdentifier.*only once/],
  ["retain handling 3", { type: 8, packetId: 1, subscriptions: [{ filter: "a", qos: 0, retainHandling: 3 as 2 }] },
    5, /retain handling 3/],
  ["SUBSCRIBE without subscriptions", { type: 8, packetId: 1, subscriptions: [] }, 4, /at least one/],
  ["UNSUBSCRIBE without filters", { type: 10, packetId: 1, filters: [] }, 5, /at least one/],
  ["empty filter", { type: 10, packetId: 1, filters: [""] }, 4, /topic filter must not be empty/],
  ["3.1.1 CONNACK return code 6", { type: 2, sessionPresent: false, reasonCode: 6 }, 4, /reason code 6/],
  ["3.1.1 SUBACK code 0x87", { type: 9, packetId: 1, reasonCodes: [0x87] }, 4, /reason code 135/],
  ["reason code 256", { type: 14, reasonCode: 256 }, 5, /reason code 256/],
  ["session present on a refusal", { type: 2, sessionPresent: true, reasonCode: 0x87 }, 5, /session present/],
  ["3.1.1 password without user name", connect({ password: new Uint8Array(1) }), 4, /password needs a username/],
  ["keep alive 65536", connect({ keepAlive: 65536 }), 4, /keepAlive 65536/],
  ["AUTH at 3.1.1", { type: 15, reasonCode: 0x18 }, 4, /AUTH exists only in MQTT 5\.0/],
  ["level 6", { type: 12 }, 6 as ProtocolLevel, /protocol level 6/],
  ["unknown packet type", { type: 0 } as unknown as Packet, 4, /unknown packet type 0/],
  ["string where bytes are expected", pub({ payload: "hello" }), 4, /payload must be a Uint8Array/],
];

for (const [name, packet, level, message] of CASES) {
  test(`RangeError: ${name}`, () => {
    assert.throws(() => encoder.encode(packet, level), (e: unknown) => e instanceof RangeError && message.test(e.message));
    // The encoder is still usable.
    assert.deepEqual(encoder.encode({ type: 12 }, 4), new Uint8Array([0xc0, 0x00]));
  });
}

test("a refused topic is refused again when the topic slot already holds it; the next valid one encodes", () => {
  for (let i = 0; i < 3; i++) {
    assert.throws(() => encoder.encode(pub({ topic: "dev/+/temp" }), 4), /wildcard '\+'/);
    const ok = encoder.encode(pub({ topic: "dev/7/temp" }), 4);
    assert.deepEqual([...ok.subarray(0, 4)], [0x30, 12, 0, 10]);
  }
  assert.throws(() => encoder.encodeInto(pub({ topic: "dev/#" }), 4, new Uint8Array(64), 0), /wildcard '#'/);
});

test("5.0 allows a password without a user name (§3.1.2.9)", () => {
  const bytes = encoder.encode(connect({ password: new Uint8Array([7]) }), 5);
  assert.equal(bytes[9], 0x42); // connect flags: password, clean start
});

test("RangeError: remaining length over 268,435,455 (checked before any byte is copied)", () => {
  assert.throws(() => encoder.publishFrom(0, 0, 0, 1, 0, 0, 0, 268435455 - 2, 4),
    (e: unknown) => e instanceof RangeError && /remaining length exceeds 268,435,455/.test(e.message));
});
