// Differential property tests: random valid packets of every type at 3.1.1 and 5.0 (CONNECT and
// CONNACK also at 3.1) encode to mqtt-packet's bytes, and round-trip through mqtt-packet's parser.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ProtocolLevel } from "../../src/protocol/packets.ts";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createEncoder } from "../../src/wasm/encoder.ts";
import { packetArbitraries } from "./encode_arbitraries.ts";
import { canonical, oracleBytes, parseBack } from "./encode_oracle.ts";

const encoder = createEncoder(createCodecWasm());
const RUNS = 200;

for (const level of [3, 4, 5] as ProtocolLevel[]) {
  for (const [name, arb] of Object.entries(packetArbitraries(level))) {
    if (level === 3 && name !== "CONNECT" && name !== "CONNACK") continue; // the rest is as 3.1.1
    test(`level ${level}: random ${name} encodes as mqtt-packet does`, () => {
      fc.assert(fc.property(arb, (p) => {
        assert.deepEqual(encoder.encode(p, level), oracleBytes(p, level));
      }), { numRuns: RUNS });
    });
    test(`level ${level}: random ${name} round-trips through mqtt-packet's parser`, () => {
      fc.assert(fc.property(arb, (p) => {
        const bytes = encoder.encode(p, level);
        // mqtt-packet's parser reads an AUTH reason code unconditionally: no short form.
        if (p.type === 15 && bytes.length === 2) return;
        assert.deepEqual(parseBack(bytes, level), canonical(p, level));
      }), { numRuns: RUNS });
    });
  }
}

test("encodeInto writes what encode returns, at any offset, and reports the size when short", () => {
  const arbs = Object.values(packetArbitraries(5));
  fc.assert(fc.property(fc.oneof(...arbs), fc.nat(16), (p, offset) => {
    const expected = encoder.encode(p, 5);
    const target = new Uint8Array(offset + expected.length + 3).fill(0xaa);
    assert.equal(encoder.encodeInto(p, 5, target, offset), expected.length);
    assert.deepEqual(target.subarray(offset, offset + expected.length), expected);
    assert.ok(target.subarray(0, offset).every((b) => b === 0xaa), "nothing written before offset");
    const short = new Uint8Array(offset + expected.length - 1);
    assert.equal(encoder.encodeInto(p, 5, short, offset), -expected.length);
    assert.ok(short.every((b) => b === 0), "nothing written when it does not fit");
  }), { numRuns: RUNS });
});
