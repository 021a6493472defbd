// Hand-annotated expected bytes, one field per line (checked against the specs, not an oracle).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Packet, ProtocolLevel } from "../../src/protocol/packets.ts";
import { ReasonCode } from "../../src/protocol/reason_codes.ts";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createEncoder } from "../../src/wasm/encoder.ts";

const encoder = createEncoder(createCodecWasm());
const u8 = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const CASES: Array<[string, ProtocolLevel, Packet, number[]]> = [
  ["3.1.1 CONNECT with will, user name and password [MQTT-3.1]", 4, {
    type: 1, protocolName: "MQTT", protocolLevel: 4, cleanStart: true, keepAlive: 60, clientId: "c",
    username: "u", password: u8(1), will: { topic: "w", payload: u8(2), qos: 1, retain: true },
  }, [
    0x10, 0x19, //                   CONNECT, remaining length 25
    0x00, 0x04, ...ascii("MQTT"), // protocol name [MQTT-3.1.2-1]
    0x04, //                         protocol level 4
    0xee, //                         flags: user name, password, will retain, will QoS 1, will, clean session
    0x00, 0x3c, //                   keep alive 60 s
    0x00, 0x01, ...ascii("c"), //    client identifier
    0x00, 0x01, ...ascii("w"), //    will topic
    0x00, 0x01, 0x02, //             will payload (length-prefixed)
    0x00, 0x01, ...ascii("u"), //    user name
    0x00, 0x01, 0x01, //             password
  ]],
  ["3.1 CONNECT: MQIsdp, level 3", 3, {
    type: 1, protocolName: "MQIsdp", protocolLevel: 3, cleanStart: true, keepAlive: 60, clientId: "c",
  }, [
    0x10, 0x0f, //                     CONNECT, remaining length 15
    0x00, 0x06, ...ascii("MQIsdp"), // protocol name (MQTT 3.1)
    0x03, //                           protocol version 3
    0x02, //                           clean session
    0x00, 0x3c, //                     keep alive
    0x00, 0x01, ...ascii("c"), //      client identifier
  ]],
  ["5.0 CONNACK with Receive Maximum", 5, {
    type: 2, sessionPresent: true, reasonCode: ReasonCode.Success, properties: { receiveMaximum: 10 },
  }, [
    0x20, 0x06, //       CONNACK, remaining length 6
    0x01, //             session present
    0x00, //             reason code Success
    0x03, //             property length 3
    0x21, 0x00, 0x0a, // Receive Maximum = 10
  ]],
  ["5.0 PUBLISH with repeated user properties and subscription identifiers", 5, {
    type: 3, dup: false, qos: 0, retain: false, topic: "t", payload: u8(), properties: {
      contentType: "x", subscriptionIdentifiers: [1, 300], userProperties: [["a", "b"], ["a", "c"]] },
  }, [
    0x30, 0x1b, //                          PUBLISH QoS 0, remaining length 27
    0x00, 0x01, ...ascii("t"), //           topic
    0x17, //                                property length 23
    0x03, 0x00, 0x01, ...ascii("x"), //     Content Type "x"
    0x0b, 0x01, //                          Subscription Identifier 1
    0x0b, 0xac, 0x02, //                    Subscription Identifier 300 (varint)
    0x26, 0x00, 0x01, 0x61, 0x00, 0x01, 0x62, // User Property a=b
    0x26, 0x00, 0x01, 0x61, 0x00, 0x01, 0x63, // User Property a=c (names may repeat)
  ]],
  ["5.0 PUBLISH with topic alias and empty topic (§3.3.2.1)", 5, {
    type: 3, dup: false, qos: 1, retain: false, topic: "", packetId: 5, payload: u8(9), properties: { topicAlias: 2 },
  }, [
    0x32, 0x09, //       PUBLISH QoS 1, remaining length 9
    0x00, 0x00, //       zero-length topic
    0x00, 0x05, //       packet identifier
    0x03, //             property length
    0x23, 0x00, 0x02, // Topic Alias 2
    0x09, //             payload
  ]],
  ["5.0 PUBACK success: short form (§3.4.2.1)", 5, { type: 4, packetId: 1 }, [0x40, 0x02, 0x00, 0x01]],
  ["5.0 PUBACK No matching subscribers: reason and empty properties", 5, {
    type: 4, packetId: 1, reasonCode: ReasonCode.NoMatchingSubscribers,
  }, [0x40, 0x04, 0x00, 0x01, 0x10, 0x00]],
  ["3.1.1 PUBREL: reserved flags 0010 [MQTT-3.6.1-1]", 4, { type: 6, packetId: 7 }, [0x62, 0x02, 0x00, 0x07]],
  ["3.1.1 SUBACK granted 0, 1 and failure", 4, { type: 9, packetId: 1, reasonCodes: [0, 1, 0x80] },
    [0x90, 0x05, 0x00, 0x01, 0x00, 0x01, 0x80]],
  ["5.0 SUBSCRIBE options: QoS 1, No Local, Retain As Published, Retain Handling 2", 5, {
    type: 8, packetId: 10, subscriptions: [{ filter: "a/#", qos: 1, noLocal: true, retainAsPublished: true,
      retainHandling: 2 }],
  }, [
    0x82, 0x09, //                      SUBSCRIBE (flags 0010), remaining length 9
    0x00, 0x0a, //                      packet identifier
    0x00, //                            no properties
    0x00, 0x03, ...ascii("a/#"), //     filter
    0x2d, //                            options 0010 1101: RH 2, RAP, NL, QoS 1
  ]],
  ["3.1.1 UNSUBACK: no payload", 4, { type: 11, packetId: 5, reasonCodes: [0] }, [0xb0, 0x02, 0x00, 0x05]],
  ["PINGREQ", 4, { type: 12 }, [0xc0, 0x00]],
  ["5.0 DISCONNECT normal: short form (§3.14.2.1)", 5, { type: 14 }, [0xe0, 0x00]],
  ["5.0 DISCONNECT Session taken over", 5, { type: 14, reasonCode: ReasonCode.SessionTakenOver },
    [0xe0, 0x02, 0x8e, 0x00]],
  ["5.0 AUTH success: short form (§3.15.2.1)", 5, { type: 15 }, [0xf0, 0x00]],
];

for (const [name, level, packet, expected] of CASES) {
  test(`annotated: ${name}`, () => {
    assert.deepEqual(encoder.encode(packet, level), new Uint8Array(expected));
  });
}

test("annotated: remaining length uses 2, 3 and 4 varint bytes at 128, 16384 and 2097152", () => {
  // remaining length = 2 + 1 (topic "t") + payload
  for (const [size, head] of [[124, [0x30, 0x7f]], [125, [0x30, 0x80, 0x01]], [16380, [0x30, 0xff, 0x7f]],
    [16381, [0x30, 0x80, 0x80, 0x01]], [2097149, [0x30, 0x80, 0x80, 0x80, 0x01]]] as const) {
    const packet: Packet = { type: 3, dup: false, qos: 0, retain: false, topic: "t", payload: new Uint8Array(size) };
    assert.deepEqual(encoder.encode(packet, 4).subarray(0, head.length), new Uint8Array(head), `payload ${size}`);
  }
});
