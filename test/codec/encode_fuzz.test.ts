// Fuzz: valid packets with one field replaced by anything, and publishFrom with random numbers.
// The encoder returns bytes or throws a RangeError — never another error, never a WASM trap — and
// keeps working afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Packet, ProtocolLevel } from "../../src/protocol/packets.ts";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createEncoder } from "../../src/wasm/encoder.ts";
import { packetArbitraries } from "./encode_arbitraries.ts";

const wasm = createCodecWasm();
const encoder = createEncoder(wasm);
const PING = new Uint8Array([0xc0, 0x00]);

const weird = fc.oneof(
  fc.anything(), fc.string(), fc.uint8Array({ maxLength: 8 }), fc.double(),
  fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
  fc.constantFrom(-1, 0, 3, 255, 256, 65535, 65536, 2 ** 32, 268435456, NaN, Infinity, null, undefined, [], {}),
);
const levels = fc.constantFrom<ProtocolLevel>(3, 4, 5, 5, 0 as ProtocolLevel, 6 as ProtocolLevel);
const anyPacket = fc.oneof(...Object.values(packetArbitraries(5)));

// deno-lint-ignore no-explicit-any
type Loose = any;

/** The objects inside a packet whose fields the fuzzer may replace. */
function containers(p: Loose): Loose[] {
  const out: Loose[] = [p];
  if (p.properties) out.push(p.properties);
  if (p.will) out.push(p.will, ...(p.will.properties ? [p.will.properties] : []));
  if (p.subscriptions?.[0]) out.push(p.subscriptions[0]);
  if (p.properties?.userProperties?.[0]) out.push(p.properties.userProperties[0]);
  return out;
}

function expectBytesOrRangeError(f: () => Uint8Array): void {
  try {
    assert.ok(f() instanceof Uint8Array);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
}

test("fuzz: a packet with one field replaced encodes or throws a RangeError", () => {
  fc.assert(fc.property(anyPacket, fc.nat(), fc.nat(), weird, levels, (p: Packet, which, key, value, level) => {
    const q: Loose = structuredClone(p);
    const box = containers(q)[which % containers(q).length];
    const keys = [...Object.keys(box), "type", "qos", "packetId", "properties", "payload"];
    box[keys[key % keys.length]] = value;
    expectBytesOrRangeError(() => encoder.encode(q, level));
    assert.deepEqual(encoder.encode({ type: 12 }, 4), PING);
  }), { numRuns: 3000 });
});

test("fuzz: publishFrom / publishHeader / ack with random numbers return bytes or throw a RangeError", () => {
  const memory = () => wasm.memory.buffer.byteLength;
  const num = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 32 }), fc.integer({ min: 0, max: 4096 }),
    fc.integer({ min: 0, max: 1 << 17 }));
  fc.assert(fc.property(fc.array(num, { minLength: 11, maxLength: 11 }), levels, (a, level) => {
    const before = memory();
    expectBytesOrRangeError(() => encoder.publishFrom(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], level, a[8], a[9]));
    expectBytesOrRangeError(() => encoder.publishHeader(a[0], a[1], a[2], a[3], a[4], a[5], a[7], level, a[8], a[9]));
    expectBytesOrRangeError(() => encoder.ack(a[0] as 4, a[1], a[10], level));
    assert.ok(memory() <= Math.max(before, 1 << 24), "no runaway growth");
    assert.deepEqual(encoder.encode({ type: 12 }, 4), PING);
  }), { numRuns: 3000 });
});
