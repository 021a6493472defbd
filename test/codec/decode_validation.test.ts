// One test per validation rule: the bad bytes → the reason code in the (last) frame.
// Rules are tagged with their normative statement ([MQTT-x.y.z-n], 3.1.1 numbering unless noted).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import type { ProtocolLevel } from "../../src/protocol/packets.ts";
import { str } from "../fixtures/fixture.ts";

const decoders = createDecoderFactory(createCodecWasm());

/** A packet: first byte, remaining length (varint), body. */
function pkt(b0: number, body: number[]): Uint8Array {
  const len: number[] = [];
  let n = body.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Uint8Array.from([b0, ...len, ...body]);
}

/** Reason code of the last frame after decoding `bytes` at `level` (0 = all valid). */
function reasonOf(level: ProtocolLevel, bytes: Uint8Array): number {
  const b = decoders({ protocolLevel: level }).push(bytes);
  assert.ok(b.count > 0, "expected a frame");
  return b.reason(b.count - 1);
}

const MQTT4 = [...str("MQTT"), 4];
const MQTT5 = [...str("MQTT"), 5];
const connect4 = (flags: number, payload: number[]) => pkt(0x10, [...MQTT4, flags, 0, 60, ...payload]);
const connect5 = (flags: number, props: number[], payload: number[]) =>
  pkt(0x10, [...MQTT5, flags, 0, 60, props.length, ...props, ...payload]);
const publish5 = (props: number[], topic = "t") => pkt(0x30, [...str(topic), props.length, ...props, 0x41]);
const subscribe5 = (opts: number, filter = "a", props: number[] = []) =>
  pkt(0x82, [0, 1, props.length, ...props, ...str(filter), opts]);

type Case = [name: string, level: ProtocolLevel, bytes: Uint8Array, reason: number];

const CASES: Case[] = [
  // Fixed header
  ["[MQTT-2.2.2-1] CONNECT with reserved flag bits set", 4, pkt(0x11, [...MQTT4, 2, 0, 60, ...str("c")]), 0x81],
  ["[MQTT-2.2.2-2] PINGREQ with flags 0001", 4, pkt(0xc1, []), 0x81],
  ["[MQTT-3.6.1-1] PUBREL with flags 0000", 4, pkt(0x60, [0, 1]), 0x81],
  ["[MQTT-3.8.1-1] SUBSCRIBE with flags 0000", 4, pkt(0x80, [0, 1, ...str("a"), 0]), 0x81],
  ["[MQTT-3.10.1-1] UNSUBSCRIBE with flags 0000", 4, pkt(0xa0, [0, 1, ...str("a")]), 0x81],
  ["[MQTT-2.2.1] packet type 0 is reserved", 4, pkt(0x00, []), 0x81],
  ["[MQTT-2.2.1] AUTH is reserved in 3.1.1", 4, pkt(0xf0, []), 0x81],
  ["§1.5.5 remaining length with a 5th byte", 4, Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), 0x81],
  ["[MQTT-1.5.5-1] (5.0) remaining length not minimally encoded", 5, Uint8Array.of(0xc0, 0x80, 0x00), 0x81],
  // PUBLISH
  ["[MQTT-3.3.1-4] PUBLISH qos 3", 4, pkt(0x36, [...str("t"), 0, 1]), 0x81],
  ["[MQTT-3.3.1-2] PUBLISH dup with qos 0", 4, pkt(0x38, [...str("t")]), 0x81],
  ["[MQTT-3.3.2-2] PUBLISH topic with +", 4, pkt(0x30, [...str("a/+")]), 0x90],
  ["[MQTT-3.3.2-2] PUBLISH topic with # (v5)", 5, publish5([], "a/#"), 0x90],
  ["§3.3.2.3.4 (5.0) empty topic without topic alias", 5, publish5([], ""), 0x82],
  ["[MQTT-4.7.3-1] empty topic in 3.1.1", 4, pkt(0x30, [0, 0, 0x41]), 0x82],
  ["[MQTT-2.3.1-1] PUBLISH qos 1 with packet id 0", 4, pkt(0x32, [...str("t"), 0, 0]), 0x82],
  ["[MQTT-3.3.2-8] (5.0) topic alias 0", 5, publish5([0x23, 0, 0]), 0x94],
  ["§3.3.2.3.8 (5.0) subscription identifier 0", 5, publish5([0x0b, 0]), 0x82],
  ["§3.3.2 PUBLISH topic longer than the packet", 4, pkt(0x30, [0, 9, 0x61]), 0x81],
  // UTF-8
  ["[MQTT-1.5.3-1] topic with invalid UTF-8 byte 0xFF", 4, pkt(0x30, [0, 1, 0xff]), 0x81],
  ["[MQTT-1.5.3-1] topic with an encoded surrogate U+D800", 4, pkt(0x30, [0, 3, 0xed, 0xa0, 0x80]), 0x81],
  ["[MQTT-1.5.3-1] topic with an overlong '/' (C0 AF)", 4, pkt(0x30, [0, 2, 0xc0, 0xaf]), 0x81],
  ["[MQTT-1.5.3-1] topic with a truncated sequence", 4, pkt(0x30, [0, 2, 0x61, 0xe2]), 0x81],
  ["[MQTT-1.5.3-2] topic with U+0000", 4, pkt(0x30, [0, 3, 0x61, 0x00, 0x62]), 0x81],
  ["[MQTT-1.5.3-1] client id with invalid UTF-8", 4, connect4(2, [0, 1, 0x80]), 0x81],
  ["[MQTT-1.5.3-2] username with U+0000", 4, connect4(0x82, [...str("c"), 0, 1, 0]), 0x81],
  ["[MQTT-1.5.3-1] topic filter with invalid UTF-8", 4, pkt(0x82, [0, 1, 0, 1, 0xfe, 0]), 0x81],
  ["[MQTT-1.5.4-1] (5.0) user property value with invalid UTF-8", 5, publish5([0x26, ...str("k"), 0, 1, 0xc3], "t"), 0x81],
  ["[MQTT-1.5.4-1] (5.0) content type with a surrogate", 5, publish5([0x03, 0, 3, 0xed, 0xbf, 0xbf], "t"), 0x81],
  // Properties
  ["§2.2.2.2 (5.0) duplicate payload format indicator", 5, publish5([0x01, 0, 0x01, 1], "t"), 0x82],
  ["§2.2.2.2 (5.0) duplicate session expiry in CONNECT", 5, connect5(2, [0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2], str("c")), 0x82],
  ["§3.8.2.1.2 (5.0) two subscription identifiers in SUBSCRIBE", 5, subscribe5(0, "a", [0x0b, 1, 0x0b, 2]), 0x82],
  ["§2.2.2.2 (5.0) session expiry not allowed in PUBLISH", 5, publish5([0x11, 0, 0, 0, 1], "t"), 0x81],
  ["§2.2.2.2 (5.0) topic alias not allowed in CONNECT", 5, connect5(2, [0x23, 0, 1], str("c")), 0x81],
  ["§2.2.2.2 (5.0) will delay not allowed in CONNECT properties", 5, connect5(2, [0x18, 0, 0, 0, 1], str("c")), 0x81],
  ["§2.2.2.2 (5.0) unknown property identifier", 5, publish5([0x7f, 0], "t"), 0x81],
  ["§2.2.2.1 (5.0) property length beyond the packet", 5, pkt(0x30, [...str("t"), 9, 0x01]), 0x81],
  ["§3.1.2.11.3 (5.0) receive maximum 0", 5, connect5(2, [0x21, 0, 0], str("c")), 0x82],
  ["§3.1.2.11.4 (5.0) maximum packet size 0", 5, connect5(2, [0x27, 0, 0, 0, 0], str("c")), 0x82],
  ["§3.1.2.11.7 (5.0) request problem information 2", 5, connect5(2, [0x17, 2], str("c")), 0x82],
  ["§3.3.2.3.2 (5.0) payload format indicator 2", 5, publish5([0x01, 2], "t"), 0x82],
  ["[MQTT-3.3.2-14] (5.0) response topic with a wildcard", 5, publish5([0x08, ...str("r/+")], "t"), 0x82],
  // CONNECT
  ["[MQTT-3.1.2-1] wrong protocol name", 4, pkt(0x10, [...str("MQTX"), 4, 2, 0, 60, ...str("c")]), 0x82],
  ["[MQTT-3.1.2-2] unsupported protocol level 6", 4, pkt(0x10, [...str("MQTT"), 6, 2, 0, 60, ...str("c")]), 0x84],
  ["[MQTT-3.1.2-2] MQIsdp with level 4", 4, pkt(0x10, [...str("MQIsdp"), 4, 2, 0, 60, ...str("c")]), 0x84],
  ["[MQTT-3.1.2-2] MQTT with level 3", 4, pkt(0x10, [...str("MQTT"), 3, 2, 0, 60, ...str("c")]), 0x84],
  ["[MQTT-3.1.2-3] CONNECT reserved flag set", 4, connect4(0x03, str("c")), 0x81],
  ["[MQTT-3.1.2-13] will qos without will flag", 4, connect4(0x0a, str("c")), 0x81],
  ["[MQTT-3.1.2-15] will retain without will flag", 4, connect4(0x22, str("c")), 0x81],
  ["[MQTT-3.1.2-14] will qos 3", 4, connect4(0x1e, [...str("c"), ...str("w"), 0, 0]), 0x81],
  ["[MQTT-3.1.2-22] password without username (3.1.1)", 4, connect4(0x42, [...str("c"), 0, 1, 0x70]), 0x81],
  ["[MQTT-3.1.3-11] will topic with a wildcard", 4, connect4(0x06, [...str("c"), ...str("w/#"), 0, 0]), 0x90],
  ["§3.1 CONNECT longer than its fields", 4, connect4(0x02, [...str("c"), 0x00]), 0x81],
  ["§3.1 CONNECT shorter than its flags say (username missing)", 4, connect4(0x82, str("c")), 0x81],
  ["[MQTT-3.2.2-1] (5.0) CONNACK reserved flag bits", 5, pkt(0x20, [0x02, 0, 0]), 0x81],
  // SUBSCRIBE / UNSUBSCRIBE / acks
  ["[MQTT-3.8.3-3] SUBSCRIBE without filters", 4, pkt(0x82, [0, 1]), 0x82],
  ["[MQTT-3.8.3-2] (5.0) SUBSCRIBE without filters", 5, pkt(0x82, [0, 1, 0]), 0x82],
  ["[MQTT-3-8.3-4] SUBSCRIBE reserved option bits (3.1.1)", 4, pkt(0x82, [0, 1, ...str("a"), 0x04]), 0x81],
  ["[MQTT-3-8.3-4] SUBSCRIBE requested qos 3", 4, pkt(0x82, [0, 1, ...str("a"), 0x03]), 0x81],
  ["[MQTT-3.8.3-5] (5.0) SUBSCRIBE reserved option bits", 5, subscribe5(0x40), 0x81],
  ["§3.8.3.1 (5.0) retain handling 3", 5, subscribe5(0x30), 0x82],
  ["[MQTT-3.8.3-4] (5.0) no local on a shared subscription", 5, subscribe5(0x04, "$share/g/a"), 0x82],
  ["[MQTT-2.3.1-1] SUBSCRIBE packet id 0", 4, pkt(0x82, [0, 0, ...str("a"), 0]), 0x82],
  ["§3.8.3 SUBSCRIBE filter without its options byte", 4, pkt(0x82, [0, 1, ...str("a")]), 0x81],
  ["[MQTT-3.10.3-2] UNSUBSCRIBE without filters", 4, pkt(0xa2, [0, 1]), 0x82],
  ["[MQTT-2.3.1-1] UNSUBSCRIBE packet id 0", 5, pkt(0xa2, [0, 0, 0, ...str("a")]), 0x82],
  ["[MQTT-3.9.3-2] SUBACK return code 3 (3.1.1)", 4, pkt(0x90, [0, 1, 3]), 0x81],
  ["[MQTT-2.3.1-1] PUBACK packet id 0", 4, pkt(0x40, [0, 0]), 0x82],
  ["§3.4 PUBACK shorter than its packet id", 4, pkt(0x40, [0]), 0x81],
  ["§3.4 PUBACK longer than 2 bytes (3.1.1)", 4, pkt(0x40, [0, 1, 0]), 0x81],
  ["§3.11 UNSUBACK with a payload (3.1.1)", 4, pkt(0xb0, [0, 1, 0]), 0x81],
  ["§3.12 PINGREQ with a body", 4, pkt(0xc0, [0]), 0x81],
  ["§3.14 DISCONNECT with a body (3.1.1)", 4, pkt(0xe0, [0]), 0x81],
  ["§3.14.2.2 (5.0) DISCONNECT property not allowed (topic alias)", 5, pkt(0xe0, [0, 3, 0x23, 0, 1]), 0x81],
];

for (const [name, level, bytes, reason] of CASES) {
  test(`${name} → 0x${reason.toString(16)}`, () => {
    assert.equal(reasonOf(level, bytes), reason);
  });
}

test("(5.0) password without username is allowed", () => {
  assert.equal(reasonOf(5, connect5(0x42, [], [...str("c"), 0, 1, 0x70])), 0);
});

test("(5.0) user properties and subscription identifiers may repeat in PUBLISH", () => {
  const up = [0x26, ...str("k"), ...str("v")];
  assert.equal(reasonOf(5, publish5([...up, ...up, 0x0b, 1, 0x0b, 2], "t")), 0);
});

test("a frame with a reason is the last one; later pushes yield nothing until reset", () => {
  const ok = pkt(0xc0, []);
  const d = decoders({ protocolLevel: 4 });
  const b = d.push(Uint8Array.from([...ok, ...pkt(0x36, [...str("t"), 0, 1]), ...ok]));
  assert.equal(b.count, 2);
  assert.equal(b.reason(0), 0);
  assert.equal(b.reason(1), 0x81);
  assert.throws(() => b.packet(1));
  assert.equal(d.push(ok).count, 0);
  d.reset();
  assert.equal(d.push(ok).count, 1);
});
