// The broker's hot path: PUBLISH built from bytes already in WASM memory (publishFrom /
// publishHeader), acks from numbers, and no memory growth in steady state.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Packet, Properties, ProtocolLevel, PublishPacket } from "../../src/protocol/packets.ts";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import { createEncoder } from "../../src/wasm/encoder.ts";
import { packetArbitraries } from "./encode_arbitraries.ts";
import { canonical, oracleBytes, parseBack } from "./encode_oracle.ts";

const wasm = createCodecWasm();
const encoder = createEncoder(wasm);

/**
 * Copies `bytes` into the encoder's scratch region and returns their WASM address. publishFrom and
 * publishHeader never touch scratch, so it stands in for the decoder's input region here.
 */
function place(bytes: Uint8Array): number {
  wasm.exports.encodeReserve(bytes.length, 0);
  const state = wasm.exports.encodeState() >>> 2;
  const at = new Uint32Array(wasm.memory.buffer)[state + 2];
  new Uint8Array(wasm.memory.buffer).set(bytes, at);
  return at;
}

/** Where the parts of an encoded PUBLISH are (a minimal reader for these tests). */
function locate(b: Uint8Array, level: ProtocolLevel) {
  let i = 1;
  while (b[i++] & 0x80);
  const topicLength = (b[i] << 8) | b[i + 1];
  const topicOffset = i + 2;
  i = topicOffset + topicLength + (((b[0] >> 1) & 3) > 0 ? 2 : 0);
  let propsLength = 0;
  if (level === 5) {
    for (let shift = 0; ; shift += 7) {
      const v = b[i++];
      propsLength += (v & 0x7f) * 2 ** shift;
      if (!(v & 0x80)) break;
    }
  }
  return { flags: b[0] & 0x0f, topicOffset, topicLength, propsOffset: i, propsLength, payloadOffset: i + propsLength };
}

/** The packet publishFrom should produce: per-hop properties replaced. */
function forwarded(p: PublishPacket, packetId: number, subscriptionId: number, topicAlias: number): PublishPacket {
  const props: Properties = { ...p.properties };
  delete props.topicAlias;
  delete props.subscriptionIdentifiers;
  if (topicAlias) props.topicAlias = topicAlias;
  if (subscriptionId) props.subscriptionIdentifiers = [subscriptionId];
  return { ...p, packetId: p.qos > 0 ? packetId : undefined, properties: props };
}

const publishes = (level: ProtocolLevel) => packetArbitraries(level).PUBLISH as fc.Arbitrary<PublishPacket>;

for (const level of [4, 5] as ProtocolLevel[]) {
  test(`level ${level}: publishFrom rebuilds a PUBLISH from WASM memory (new packet id, per-hop properties)`, () => {
    const extras = fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.option(fc.integer({ min: 1, max: 268435455 }), { nil: 0 }),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: 0 }));
    fc.assert(fc.property(publishes(level), extras, (p, [packetId, subId, alias]) => {
      const src = encoder.encode(p, level);
      const at = place(src);
      const l = locate(src, level);
      const out = encoder.publishFrom(l.flags, packetId, at + l.topicOffset, l.topicLength, at + l.propsOffset,
        l.propsLength, at + l.payloadOffset, src.length - l.payloadOffset, level, subId, alias);
      const expected = forwarded(p, packetId, level === 5 ? subId : 0, level === 5 ? alias : 0);
      if (level === 4) assert.deepEqual(out, encoder.encode(expected, 4).slice());
      else assert.deepEqual(parseBack(out.slice(), 5), canonical(expected, 5));
      const header = encoder.publishHeader(l.flags, packetId, at + l.topicOffset, l.topicLength, at + l.propsOffset,
        l.propsLength, src.length - l.payloadOffset, level, subId, alias).slice();
      assert.deepEqual(header, out.subarray(0, header.length), "publishHeader = publishFrom without the payload");
      assert.equal(out.length - header.length, src.length - l.payloadOffset);
    }), { numRuns: 300 });
  });
}

test("level 5: publishFrom with a topic alias may send an empty topic (§3.3.2.1)", () => {
  const at = place(new TextEncoder().encode("payload"));
  const out = encoder.publishFrom(0, 0, at, 0, at, 0, at, 7, 5, 0, 3);
  assert.deepEqual([...out.subarray(0, 9)], [0x30, 0x0d, 0x00, 0x00, 0x03, 0x23, 0x00, 0x03, 0x70]);
  assert.throws(() => encoder.publishFrom(0, 0, at, 0, at, 0, at, 7, 5), /topic must not be empty/);
});

test("level 5: publishFrom rejects a malformed property block", () => {
  const at = place(new Uint8Array([0x74, 0x23, 0x00])); // topic "t", then a Topic Alias cut short
  assert.throws(() => encoder.publishFrom(0, 0, at, 1, at + 1, 2, at, 0, 5), /malformed property block/);
});

test("publishFrom from the decoder's frame table (the broker's path)", () => {
  const decode = createDecoderFactory(wasm)({ protocolLevel: 5 });
  const p: PublishPacket = { type: 3, dup: false, qos: 1, retain: true, topic: "s/1", packetId: 5,
    payload: new Uint8Array([1, 2, 3]), properties: { topicAlias: 4, contentType: "c", userProperties: [["a", "b"]] } };
  const batch = decode.push(encoder.encode(p, 5));
  assert.equal(batch.count, 1);
  const base = batch.bytes.byteOffset;
  const out = encoder.publishFrom(batch.flags(0), 77, base + batch.topicOffset(0), batch.topicLength(0),
    base + batch.propertiesOffset(0), batch.propertiesLength(0), base + batch.payloadOffset(0),
    batch.payloadLength(0), 5, 12);
  assert.deepEqual(parseBack(out.slice(), 5), canonical(forwarded(p, 77, 12, 0), 5));
});

test("ack() writes what encode() writes for acks without properties", () => {
  for (const level of [3, 4, 5] as ProtocolLevel[]) {
    for (const type of [4, 5, 6, 7] as const) {
      for (const reasonCode of [0, 0x10, 0x92]) {
        const packet: Packet = { type, packetId: 513, reasonCode };
        assert.deepEqual(encoder.ack(type, 513, reasonCode, level).slice(), encoder.encode(packet, level));
      }
    }
  }
  assert.throws(() => encoder.ack(4, 0, 0, 4), /packet identifier 0/);
});

test("encodeView and the hot-path views read the output region (valid until the next call)", () => {
  const view = encoder.encodeView({ type: 12 }, 4);
  assert.deepEqual([...view], [0xc0, 0x00]);
  assert.equal(view.buffer, wasm.memory.buffer);
});

test("memory: after the first large packet, 100,000 encodes do not grow WASM memory", () => {
  const own = createCodecWasm();
  const enc = createEncoder(own);
  const large: Packet = { type: 3, dup: false, qos: 1, retain: false, topic: "big", packetId: 1,
    payload: new Uint8Array(1 << 20).fill(1) };
  assert.deepEqual(enc.encode(large, 4), oracleBytes(large, 4)); // views re-created after growth
  const pages = own.memory.buffer.byteLength;
  const samples = fc.sample(fc.oneof(...Object.values(packetArbitraries(5))), 500);
  const target = new Uint8Array(1 << 16);
  for (let i = 0; i < 100_000; i++) {
    const p = samples[i % samples.length];
    if (i % 2) enc.encode(p, 5);
    else enc.encodeInto(p, 5, target, 0);
  }
  const at = 1024; // publishFrom reads any WASM address; nothing is written there
  for (let i = 0; i < 100_000; i++) enc.publishFrom(2, (i % 65535) + 1, at, 8, at, 0, at, 256, 4);
  assert.equal(own.memory.buffer.byteLength, pages);
  assert.deepEqual(enc.encode(large, 4), oracleBytes(large, 4));
});
