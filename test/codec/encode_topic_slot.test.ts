// The PUBLISH fast path (src/wasm/topic_slot.ts, encode_fill.ts fillPublishHead): topics go through
// a one-entry slot at the end of scratch and payloads are appended in JS. Whatever the topic (ASCII,
// multi-byte, lone surrogates, at and past the slot's 340-unit limit) and whatever ran in between,
// encode, encodeInto and encodeView give mqtt-packet's bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import mqtt from "mqtt-packet";
import type { Packet, PublishPacket } from "../../src/protocol/packets.ts";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createEncoder, type PacketEncoder } from "../../src/wasm/encoder.ts";
import { oracleBytes } from "./encode_oracle.ts";

const wasm = createCodecWasm();
const encoder = createEncoder(wasm);

function publish(topic: string, size = 16, qos: 0 | 1 = 1): PublishPacket {
  return { type: 3, dup: false, qos, retain: false, topic, packetId: qos ? 42 : undefined,
    payload: new Uint8Array(size).fill(size & 0xff) } as PublishPacket;
}

/** mqtt-packet's bytes for `p` at 3.1.1. */
function theirs(p: PublishPacket): Uint8Array {
  return new Uint8Array(mqtt.generate({ cmd: "publish", topic: p.topic, payload: Buffer.from(p.payload), qos: p.qos,
    messageId: p.packetId, retain: false, dup: false } as never));
}

/** All three entry points agree with mqtt-packet. */
function same(enc: PacketEncoder, p: PublishPacket): void {
  const want = theirs(p);
  assert.deepEqual(enc.encode(p, 4), want);
  const target = new Uint8Array(want.length + 5).fill(0xee);
  assert.equal(enc.encodeInto(p, 4, target, 3), want.length);
  assert.deepEqual(target.subarray(3, 3 + want.length), want);
  assert.equal(target[2], 0xee);
  assert.equal(target[3 + want.length], 0xee);
  assert.deepEqual(new Uint8Array(enc.encodeView(p, 4)), want);
}

const TOPICS = [
  "a", "sensors/building-1/room-12/temperature", "é/ü", "温度/センサー", "emoji/🌡️", "bad/\ud800/surrogate",
  "x".repeat(339), "x".repeat(340), "x".repeat(341), "€".repeat(340), "€".repeat(341), "y".repeat(65535),
  "z".repeat(339) + "é", "z".repeat(340) + "🌡",
];

test("topics of every kind and length encode like mqtt-packet, first time and repeated", () => {
  for (const topic of TOPICS) {
    for (const size of [0, 16, 31, 32, 33, 256, 70000]) {
      same(encoder, publish(topic, size));
      same(encoder, publish(topic, size)); // the slot's copy
    }
    same(encoder, publish(topic, 5, 0));
  }
});

test("alternating topics never reuse the other's bytes", () => {
  for (let i = 0; i < 50; i++) same(encoder, publish(TOPICS[i % TOPICS.length]));
  for (let i = 0; i < 20; i++) same(encoder, publish(`t/${i % 3}`)); // equal strings, not the same object
});

test("other packets, scratch growth and memory growth in between keep the slot right", () => {
  const topic = "sensors/building-1/room-12/temperature";
  same(encoder, publish(topic));
  const others: Packet[] = [
    { type: 1, protocolName: "MQTT", protocolLevel: 4, cleanStart: true, keepAlive: 0, clientId: "c".repeat(500) },
    { type: 10, packetId: 1, filters: Array.from({ length: 40 }, (_, i) => `${i}`.repeat(1000)) }, // grows scratch
  ];
  for (const other of others) {
    encoder.encode(other, 4);
    same(encoder, publish(topic));
  }
  const buffer = wasm.memory.buffer;
  encoder.encodeView(publish("big", 8 << 20), 4); // the payload goes through WASM memory: it grows
  assert.notEqual(wasm.memory.buffer, buffer);
  same(encoder, publish(topic));
});

test("two encoders on one codec instance share the slot safely", () => {
  const second = createEncoder(wasm);
  for (let i = 0; i < 10; i++) {
    same(encoder, publish("first/topic"));
    same(second, publish("second/topic"));
  }
});

test("a bad topic still fails the same way on the fast path", () => {
  for (const [topic, message] of [
    [undefined, /topic must be a string/], [null, /topic must be a string/], [7, /topic must be a string/],
    ["", /topic must not be empty/], ["x".repeat(65536), /topic is longer than 65,535 bytes/],
    ["€".repeat(21846), /topic is longer than 65,535 bytes/],
  ] as const) {
    const p = publish(topic as unknown as string);
    assert.throws(() => encoder.encode(p, 4), (e: unknown) => e instanceof RangeError && message.test(e.message));
    assert.throws(() => encoder.encodeInto(p, 4, new Uint8Array(100), 0), RangeError);
    same(encoder, publish("after/error"));
  }
});

test("a v5 PUBLISH whose properties grow scratch after its topic went into the slot", () => {
  const topic = "sensors/building-1/room-12/temperature";
  const enc = createEncoder(createCodecWasm());
  const p: PublishPacket = { ...publish(topic), properties: { userProperties: [["k", "v".repeat(60000)]] } };
  const want = oracleBytes(p, 5);
  assert.deepEqual(enc.encode(p, 5), want); // grows scratch
  assert.deepEqual(enc.encode(p, 5), want); // the slot's copy
  assert.deepEqual(new Uint8Array(createEncoder(createCodecWasm()).encodeView(p, 5)), want);
});
