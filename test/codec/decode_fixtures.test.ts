// Every annotated fixture (test/fixtures) decodes to its Packet: whole, one byte at a time, split
// at every position, and all fixtures of a level concatenated in one chunk.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import type { DecodedBatch } from "../../src/wasm/frame_batch.ts";
import type { Packet, ProtocolLevel } from "../../src/protocol/packets.ts";
import type { StreamDecoder } from "../../src/wasm/types.ts";
import { concatFixtures, type Fixture, fixtureBytes } from "../fixtures/fixture.ts";
import { V4_FIXTURES } from "../fixtures/packets_v4.ts";
import { V5_FIXTURES } from "../fixtures/packets_v5.ts";

const decoders = createDecoderFactory(createCodecWasm());
const ALL = [...V4_FIXTURES, ...V5_FIXTURES];

/** Pushes each chunk, collecting every valid frame's packet (batches are reused: read them now). */
function feed(d: StreamDecoder, chunks: Uint8Array[]): Packet[] {
  const out: Packet[] = [];
  for (const c of chunks) {
    const b = d.push(c);
    for (let i = 0; i < b.count; i++) {
      assert.equal(b.reason(i), 0, `reason 0x${b.reason(i).toString(16)}`);
      out.push(b.packet(i));
    }
  }
  return out;
}

function decoderFor(level: ProtocolLevel): StreamDecoder {
  return decoders({ protocolLevel: level });
}

for (const f of ALL) {
  test(`${f.name}: decodes to its packet`, () => {
    const d = decoderFor(f.level);
    const b = d.push(fixtureBytes(f));
    assert.equal(b.count, 1);
    assert.equal(b.reason(0), 0);
    assert.equal(b.type(0), f.packet.type);
    assert.equal(b.length(0), fixtureBytes(f).length);
    assert.deepEqual(b.packet(0), f.packet);
    assert.equal(d.needed, 0);
  });

  test(`${f.name}: one byte at a time`, () => {
    const bytes = fixtureBytes(f);
    const chunks = Array.from(bytes, (x) => Uint8Array.of(x));
    assert.deepEqual(feed(decoderFor(f.level), chunks), [f.packet]);
  });

  test(`${f.name}: split at every position`, () => {
    const bytes = fixtureBytes(f);
    for (let at = 0; at <= bytes.length; at++) {
      const d = decoderFor(f.level);
      const got = feed(d, [bytes.subarray(0, at), bytes.subarray(at)]);
      assert.deepEqual(got, [f.packet], `split at ${at}`);
      assert.equal(d.needed, 0);
    }
  });
}

function levelRun(list: readonly Fixture[], level: ProtocolLevel): void {
  // Fixtures of other levels (a 3.1 CONNECT among 3.1.1 ones) switch the level: keep them apart.
  const same = list.filter((f) => f.level === level || f.packet.type !== 1);
  test(`all level-${level} fixtures concatenated in one chunk`, () => {
    const d = decoderFor(level);
    assert.deepEqual(feed(d, [concatFixtures(same)]), same.map((f) => f.packet));
  });
  test(`all level-${level} fixtures concatenated, split at every position`, () => {
    const bytes = concatFixtures(same);
    for (let at = 0; at <= bytes.length; at += 3) {
      const d = decoderFor(level);
      assert.deepEqual(feed(d, [bytes.subarray(0, at), bytes.subarray(at)]), same.map((f) => f.packet));
    }
  });
}

levelRun(V4_FIXTURES.filter((f) => f.level === 4), 4);
levelRun(V5_FIXTURES, 5);

test("a CONNECT switches the level for the packets after it in the same chunk", () => {
  const connect5 = V5_FIXTURES.find((f) => f.name === "v5 CONNECT minimal")!;
  const publish5 = V5_FIXTURES.find((f) => f.name.startsWith("v5 PUBLISH qos 1"))!;
  const d = decoderFor(4);
  const got = feed(d, [concatFixtures([connect5, publish5])]);
  assert.deepEqual(got, [connect5.packet, publish5.packet]);
  assert.equal(d.protocolLevel, 5);
});

test("a 3.1 CONNECT (MQIsdp) switches the level to 3", () => {
  const connect3 = V4_FIXTURES.find((f) => f.level === 3)!;
  const d = decoderFor(5);
  const b = d.push(fixtureBytes(connect3));
  assert.equal((b as DecodedBatch).level(0), 3);
  assert.equal(d.protocolLevel, 3);
});

test("packet() copies byte fields: they survive the next push", () => {
  const f = V4_FIXTURES.find((x) => x.name === "v4 PUBLISH qos 1 dup retain")!;
  const d = decoderFor(4);
  const p = d.push(fixtureBytes(f)).packet(0);
  d.push(new Uint8Array(200).fill(0x30, 0, 1));
  assert.deepEqual(p, f.packet);
});
