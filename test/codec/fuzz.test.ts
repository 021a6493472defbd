// Fuzzing the decoder with random and mutated frames (seeded, ~100k inputs): every input yields
// frames, a reason code or a `needed` count; nothing throws or traps; frames tile the input; valid
// frames materialise; WASM memory does not grow once the tables are warm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import type { ProtocolLevel } from "../../src/protocol/packets.ts";
import type { FrameBatch, StreamDecoder } from "../../src/wasm/types.ts";
import { fixtureBytes } from "../fixtures/fixture.ts";
import { V4_FIXTURES } from "../fixtures/packets_v4.ts";
import { V5_FIXTURES } from "../fixtures/packets_v5.ts";

const INPUTS = 100_000;
const WARM_UP = 2_000;

/** xorshift32: deterministic across runtimes. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

const CORPUS = [...V4_FIXTURES, ...V5_FIXTURES].map((f) => ({ bytes: fixtureBytes(f), level: f.level }));

/** A random, mutated or spliced input. */
function makeInput(r: (n: number) => number): Uint8Array {
  const mode = r(4);
  if (mode === 0) {
    const b = new Uint8Array(r(48));
    for (let i = 0; i < b.length; i++) b[i] = r(256);
    if (b.length > 1) b[1] = r(b.length); // plausible remaining lengths reach the body decoders
    return b;
  }
  const base = CORPUS[r(CORPUS.length)].bytes;
  if (mode === 3) {
    const other = CORPUS[r(CORPUS.length)].bytes;
    const out = new Uint8Array(base.length + other.length);
    out.set(base);
    out.set(other, base.length);
    return mutate(out, r, 1);
  }
  return mutate(base.slice(), r, 1 + r(4));
}

function mutate(b: Uint8Array, r: (n: number) => number, times: number): Uint8Array {
  for (let k = 0; k < times && b.length > 0; k++) {
    const at = r(b.length);
    const op = r(5);
    if (op === 0) b[at] ^= 1 << r(8);
    else if (op === 1) b[at] = r(256);
    else if (op === 2) b[at] = [0x00, 0x7f, 0x80, 0xff, 0x23, 0x2b][r(6)];
    else if (op === 3) b = b.subarray(0, at); // truncate
    else b = Uint8Array.from([...b.subarray(0, at), r(256), ...b.subarray(at)]); // insert
  }
  return b;
}

/** Checks a batch's invariants and materialises its valid frames. */
function check(b: FrameBatch): void {
  let next = -1;
  for (let i = 0; i < b.count; i++) {
    if (next >= 0) assert.equal(b.start(i), next, "frames tile the input");
    next = b.start(i) + b.length(i);
    if (b.reason(i) !== 0) {
      assert.equal(i, b.count - 1, "a frame with a reason is the last one");
      continue;
    }
    assert.ok(next <= b.bytes.length);
    assert.ok(b.topicOffset(i) + b.topicLength(i) <= next);
    assert.ok(b.payloadOffset(i) + b.payloadLength(i) <= next);
    assert.ok(b.propertiesOffset(i) + b.propertiesLength(i) <= next);
    b.packet(i); // must not throw: strings were validated in WASM, TextDecoder is fatal
  }
}

function feed(d: StreamDecoder, input: Uint8Array, r: (n: number) => number): number {
  const cut = input.length > 1 && r(2) ? r(input.length) : input.length;
  let frames = 0;
  for (const chunk of [input.subarray(0, cut), input.subarray(cut)]) {
    if (chunk.length === 0) continue;
    const b = d.push(chunk);
    check(b);
    frames += b.count;
  }
  return frames;
}

test(`fuzz: ${INPUTS} random and mutated inputs never throw, trap or grow memory`, () => {
  const wasm = createCodecWasm();
  const decoders = createDecoderFactory(wasm);
  const r = rng(0xc0dec);
  let memory = 0, frames = 0, pending = 0;
  const t0 = Date.now();
  for (let n = 0; n < INPUTS; n++) {
    if (n === WARM_UP) memory = wasm.memory.buffer.byteLength;
    const level = (3 + r(3)) as ProtocolLevel;
    const d = decoders({ protocolLevel: level, maxPacketSize: r(8) === 0 ? 1 + r(64) : undefined });
    const input = makeInput(r);
    const got = feed(d, input, r);
    frames += got;
    if (got === 0 && input.length > 0) {
      assert.ok(d.needed > 0, "no frame means more bytes are needed");
      pending++;
    }
  }
  assert.equal(wasm.memory.buffer.byteLength, memory, "WASM memory grew during the run");
  assert.ok(frames > INPUTS / 2, `${frames} frames`);
  assert.ok(pending < INPUTS / 2, `${pending} inputs were incomplete`);
  assert.ok(Date.now() - t0 < 60_000);
});

test("fuzz: 5,000 long streams of mutated fixtures keep decoding after each valid packet", () => {
  const decoders = createDecoderFactory(createCodecWasm());
  const r = rng(0xbeef);
  for (let n = 0; n < 5_000; n++) {
    const d = decoders({ protocolLevel: (3 + r(3)) as ProtocolLevel });
    for (let k = 0; k < 8; k++) feed(d, makeInput(r), r);
  }
});
