// A decoded batch stays readable when an encode on the same codec grows the WASM memory while the
// batch is being iterated (the broker answers frame i before it reads frame i + 1). Growth detaches
// the old ArrayBuffer; the batch must re-take its views and read the remaining frames unchanged.
// docs/WASM_ABI.md "Decoder", "Facade behaviour".
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCodec } from "../../src/codec.ts";
import type { ProtocolLevel, PublishPacket, UnsubscribePacket } from "../../src/protocol/packets.ts";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import { createEncoder } from "../../src/wasm/encoder.ts";
import { concat } from "../transport/harness.ts";

const FRAMES = 6;
const utf8 = new TextEncoder();

/** PUBLISH k of the stream: distinct topic, payload, packet id and (v5) user property. */
function publish(k: number, level: ProtocolLevel): PublishPacket {
  const p: PublishPacket = {
    type: 3, dup: false, qos: 1, retain: k % 2 === 1, packetId: 100 + k,
    topic: `site/${k}/temperature`, payload: utf8.encode(`reading ${k} `.repeat(k + 1)),
  };
  if (level === 5) p.properties = { userProperties: [["frame", String(k)]], messageExpiryInterval: 60 + k };
  return p;
}

/**
 * A packet large enough (`mib` MiB of topic filters) to make the encoder grow the codec memory:
 * its strings go through WASM memory (a PUBLISH payload would not: encode appends it in JS).
 */
function huge(mib = 4): UnsubscribePacket {
  return { type: 10, packetId: 1, filters: Array.from({ length: mib * 16 }, () => "f".repeat(65535)) };
}

for (const level of [4, 5] as const) {
  test(`level ${level}: frames after a memory-growing encode read correctly (accessors, bytes, packet, publishFrom)`, () => {
    const wasm = createCodecWasm();
    const encoder = createEncoder(wasm);
    const decoder = createDecoderFactory(wasm)({ protocolLevel: level });
    const wire = Array.from({ length: FRAMES }, (_, k) => encoder.encode(publish(k, level), level));
    const batch = decoder.push(concat(wire));
    assert.equal(batch.count, FRAMES);

    const check = (k: number) => {
      assert.equal(batch.reason(k), 0);
      assert.equal(batch.type(k), 3);
      assert.equal(batch.packetId(k), 100 + k);
      assert.equal(batch.flags(k), k % 2 === 1 ? 3 : 2);
      const bytes = batch.bytes;
      assert.deepEqual(bytes.subarray(batch.start(k), batch.start(k) + batch.length(k)), wire[k]);
      const topic = bytes.subarray(batch.topicOffset(k), batch.topicOffset(k) + batch.topicLength(k));
      assert.deepEqual(topic, utf8.encode(`site/${k}/temperature`));
      assert.deepEqual(batch.packet(k), publish(k, level));
      // The broker's forwarding path: absolute addresses into the (possibly new) buffer.
      const base = batch.bytes.byteOffset;
      const out = encoder.publishFrom(batch.flags(k), batch.packetId(k), base + batch.topicOffset(k),
        batch.topicLength(k), base + batch.propertiesOffset(k), batch.propertiesLength(k),
        base + batch.payloadOffset(k), batch.payloadLength(k), level);
      assert.deepEqual(out, wire[k]);
    };

    check(0);
    check(1);
    const before = wasm.memory.buffer;
    // 64 filters of 2 + 65,535 bytes, packet id, (v5) property length; 4-byte remaining length
    assert.equal(encoder.encode(huge(), level).length, 1 + 4 + 2 + 64 * 65537 + (level === 5 ? 1 : 0));
    assert.notEqual(wasm.memory.buffer, before, "the large encode must have grown memory");
    check(2);
    check(3);
    // A second growth (bigger still) between two frames.
    const again = wasm.memory.buffer;
    encoder.encode(huge(12), level);
    assert.notEqual(wasm.memory.buffer, again);
    for (let k = 4; k < FRAMES; k++) check(k);
  });
}

test("public codec: packet(i) after codec.encode grew memory mid-iteration", () => {
  const codec = createCodec();
  const wire = Array.from({ length: FRAMES }, (_, k) => codec.encode(publish(k, 5), 5));
  const batch = codec.createDecoder({ protocolLevel: 5 }).push(concat(wire));
  assert.equal(batch.count, FRAMES);
  const seen: unknown[] = [];
  for (let k = 0; k < batch.count; k++) {
    seen.push(batch.packet(k));
    if (k === 1) codec.encode(huge(), 5);
  }
  assert.deepEqual(seen, wire.map((_, k) => publish(k, 5)));
});

test("a push after the encoder grew memory decodes into the new buffer", () => {
  const wasm = createCodecWasm();
  const encoder = createEncoder(wasm);
  const decoder = createDecoderFactory(wasm)({ protocolLevel: 4 });
  const first = encoder.encode(publish(0, 4), 4);
  assert.equal(decoder.push(first.subarray(0, 7)).count, 0); // a partial packet kept across the growth
  encoder.encode(huge(), 4);
  const batch = decoder.push(first.subarray(7));
  assert.equal(batch.count, 1);
  assert.deepEqual(batch.packet(0), publish(0, 4));
  assert.equal(decoder.push(new Uint8Array(0)).count, 0);
});
