// Stream framing: partial packets and `needed`, maxPacketSize before the body, large packets over
// many chunks without re-decoding, table growth, several decoders sharing one codec.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type CodecWasm, createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import type { PublishPacket, SubscribePacket } from "../../src/protocol/packets.ts";
import { str } from "../fixtures/fixture.ts";

/** A codec whose `decode` export counts its calls. */
function countingCodec(): { wasm: CodecWasm; calls: () => number } {
  const real = createCodecWasm();
  let n = 0;
  const exports = { ...real.exports, decode: (...a: number[]) => (n++, real.exports.decode(...a)) };
  return { wasm: { exports, memory: real.memory }, calls: () => n };
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
}

function pkt(b0: number, body: ArrayLike<number>): Uint8Array {
  const head = [b0, ...varint(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

const decoders = createDecoderFactory(createCodecWasm());

test("needed counts the bytes still missing; 1 while the fixed header is incomplete", () => {
  const d = decoders();
  assert.equal(d.push(Uint8Array.of(0x30)).count, 0);
  assert.equal(d.needed, 1);
  assert.equal(d.push(Uint8Array.of(0x85)).count, 0); // remaining length continues
  assert.equal(d.needed, 1);
  assert.equal(d.push(Uint8Array.of(0x01)).count, 0); // remaining length 133
  assert.equal(d.needed, 133);
  d.reset();
  assert.equal(d.needed, 0);
});

test("maxPacketSize: reason 0x95 as soon as the fixed header is complete", () => {
  const d = decoders({ maxPacketSize: 100 });
  const b = d.push(Uint8Array.of(0x30, 0xe8, 0x07)); // remaining length 1000, no body yet
  assert.equal(b.count, 1);
  assert.equal(b.reason(0), 0x95);
  assert.equal(b.length(0), 1003);
  assert.equal(d.needed, 0);
});

test("maxPacketSize counts the whole packet: exactly the limit passes", () => {
  const body = [...str("t"), 1, 2, 3];
  const p = pkt(0x30, body);
  assert.equal(decoders({ maxPacketSize: p.length }).push(p).reason(0), 0);
  assert.equal(decoders({ maxPacketSize: p.length - 1 }).push(p).reason(0), 0x95);
});

test("the largest remaining length (268,435,455) is accepted from the header", () => {
  const d = decoders();
  assert.equal(d.push(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f, 0, 1)).count, 0);
  assert.equal(d.needed, 268_435_455 - 2);
});

test("a 4 MiB PUBLISH over 4 KiB chunks is decoded once (no O(n²) re-decoding)", () => {
  const { wasm, calls } = countingCodec();
  const d = createDecoderFactory(wasm)({ protocolLevel: 4 });
  const payload = new Uint8Array(4 << 20).map((_, i) => i & 0xff);
  const head = [...str("big/topic"), 0x12, 0x34];
  const body = new Uint8Array(head.length + payload.length);
  body.set(head);
  body.set(payload, head.length);
  const full = pkt(0x32, body);
  let got: PublishPacket | undefined;
  for (let at = 0; at < full.length; at += 4096) {
    const b = d.push(full.subarray(at, at + 4096));
    if (b.count) got = b.packet(0) as PublishPacket;
  }
  assert.ok(got);
  assert.equal(got.topic, "big/topic");
  assert.equal(got.packetId, 0x1234);
  assert.deepEqual(got.payload, payload);
  assert.ok(calls() <= 2, `decode called ${calls()} times`);
});

test("3000 packets in one chunk: the frame table grows, all frames kept", () => {
  const chunk = new Uint8Array(4 * 3000);
  for (let i = 0; i < 3000; i++) chunk.set([0x40, 2, i >> 8, i & 0xff], i * 4);
  chunk[3] = 1; // packet id 0 is invalid: the first PUBACK gets 1
  const b = decoders().push(chunk);
  assert.equal(b.count, 3000);
  assert.equal(b.packetId(2999), 2999);
  assert.equal(b.reason(2999), 0);
});

test("5000 user properties and 3000 filters: property and field tables grow", () => {
  const up = [0x26, ...str("k"), ...str("v")];
  const props: number[] = [];
  for (let i = 0; i < 5000; i++) props.push(...up);
  const pub = pkt(0x30, [...str("t"), ...varint(props.length), ...props]);
  const subBody = [0, 7, 0];
  for (let i = 0; i < 3000; i++) subBody.push(...str(`f${i}`), 1);
  const chunk = Uint8Array.from([...pub, ...pkt(0x82, subBody), ...pub]);
  const b = decoders({ protocolLevel: 5 }).push(chunk);
  assert.equal(b.count, 3);
  const p = b.packet(2) as PublishPacket;
  assert.equal(p.properties?.userProperties?.length, 5000);
  const s = b.packet(1) as SubscribePacket;
  assert.equal(s.subscriptions.length, 3000);
  assert.equal(s.subscriptions[2999].filter, "f2999");
});

test("decoders of one codec keep their partial packets apart", () => {
  const a = decoders(), b = decoders();
  const pa = pkt(0x30, [...str("a"), 1]), pb = pkt(0x30, [...str("b"), 2]);
  a.push(pa.subarray(0, 3));
  b.push(pb.subarray(0, 2));
  assert.equal((a.push(pa.subarray(3)).packet(0) as PublishPacket).topic, "a");
  assert.equal((b.push(pb.subarray(2)).packet(0) as PublishPacket).topic, "b");
});

test("hot-path accessors index the batch bytes", () => {
  const d = decoders({ protocolLevel: 5 });
  const b = d.push(pkt(0x30, [...str("x/y"), 3, 0x23, 0, 9, 0x68, 0x69]));
  const topic = b.bytes.subarray(b.topicOffset(0), b.topicOffset(0) + b.topicLength(0));
  assert.deepEqual([...topic], [0x78, 0x2f, 0x79]);
  assert.equal(b.payloadLength(0), 2);
  assert.equal(b.bytes[b.payloadOffset(0)], 0x68);
  assert.equal(b.topicAlias(0), 9);
  assert.equal(b.propertiesLength(0), 3);
  assert.equal(b.bytes[b.propertiesOffset(0)], 0x23);
  assert.deepEqual([...b.bytes.subarray(b.start(0), b.start(0) + b.length(0))].slice(0, 2), [0x30, 11]);
});
