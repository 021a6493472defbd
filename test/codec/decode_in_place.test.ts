// In-place payloads (DecoderOptions.inPlacePayloadBytes): a stream decodes to the same frames,
// packets and reason codes as with the copy path, whatever the chunking; large payloads are views of
// the pushed chunk (never copied), small ones and packets straddling chunks are copied.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import { createEncoder } from "../../src/wasm/encoder.ts";
import { HEAD_WINDOW } from "../../wasm/assembly/codec/frame_layout.ts";
import type { Packet, ProtocolLevel, PublishPacket, QoS } from "../../src/protocol/packets.ts";
import type { FrameBatch, StreamDecoder } from "../../src/wasm/types.ts";

const MIN = 1024;
const encoder = createEncoder(createCodecWasm());
// Two codecs: a batch lives until the next push on its codec, so each mode gets its own.
const copying = createDecoderFactory(createCodecWasm());
const inPlace = createDecoderFactory(createCodecWasm());

function publish(topic: string, size: number, qos: QoS, extra: Partial<PublishPacket> = {}): PublishPacket {
  const payload = new Uint8Array(size).map((_, i) => (i * 7 + size) & 0xff);
  const packetId = qos ? 1 + (size % 60000) : undefined;
  return { type: 3, topic, payload, qos, dup: false, retain: false, packetId, ...extra };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

/** Everything a frame says, with byte fields as arrays (payloads read through `payload(i)`). */
function frameSummary(b: FrameBatch, i: number): unknown {
  const head = {
    type: b.type(i), flags: b.flags(i), reason: b.reason(i), start: b.start(i), length: b.length(i),
    packetId: b.packetId(i), topicAlias: b.topicAlias(i), payloadLength: b.payloadLength(i),
  };
  if (b.reason(i) !== 0) return head;
  const p = b.packet(i) as Packet & { payload?: Uint8Array };
  const payload = b.type(i) === 3 ? Array.from(b.payload(i)) : undefined;
  return { ...head, payload, packet: { ...p, payload: p.payload && Array.from(p.payload) } };
}

interface Pushed { frames: unknown[]; needed: number; inPlace: boolean[] }

/** Pushes `chunks` and records each batch as it comes (it is reused by the next push). */
function run(d: StreamDecoder, chunks: Uint8Array[]): Pushed[] {
  return chunks.map((c) => {
    const b = d.push(c), frames: unknown[] = [], flags: boolean[] = [];
    for (let i = 0; i < b.count; i++) {
      frames.push(frameSummary(b, i));
      flags.push(b.payloadInPlace(i));
      if (b.payloadInPlace(i)) assert.equal(b.payloadBytes(i), c, "an in-place payload indexes the chunk");
    }
    return { frames, needed: d.needed, inPlace: flags };
  });
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    if (c > from) out.push(bytes.subarray(from, c));
    from = Math.max(from, c);
  }
  return out;
}

/** Decodes `chunks` both ways; asserts the same frames and `needed`; returns the in-place flags. */
function same(level: ProtocolLevel, chunks: Uint8Array[], min = MIN): boolean[][] {
  const want = run(copying({ protocolLevel: level }), chunks);
  const got = run(inPlace({ protocolLevel: level, inPlacePayloadBytes: min }), chunks);
  for (let k = 0; k < chunks.length; k++) {
    assert.deepEqual(got[k].frames, want[k].frames, `push ${k}`);
    assert.equal(got[k].needed, want[k].needed, `needed after push ${k}`);
  }
  return got.map((p) => p.inPlace);
}

const topicArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9/]{1,40}$/),
  fc.integer({ min: HEAD_WINDOW, max: 400 }).map((n) => "t/".padEnd(n, "x")), // a head longer than the window
);
const sizeArb = fc.oneof(
  fc.constantFrom(0, 16, MIN - 1, MIN, MIN + 1),
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: MIN, max: 9000 }),
);
const v5PropsArb = fc.record({
  payloadFormatIndicator: fc.constantFrom(0, 1), contentType: fc.string({ maxLength: 20 }),
  userProperties: fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 3 }),
  topicAlias: fc.integer({ min: 1, max: 10 }),
}, { requiredKeys: [] });

function packetArb(level: ProtocolLevel): fc.Arbitrary<Packet> {
  const pub = fc.tuple(topicArb, sizeArb, fc.constantFrom<QoS>(0, 1, 2), v5PropsArb, fc.boolean(), fc.boolean())
    .map(([t, s, q, props, retain, dup]) => publish(t, s, q, {
      retain, dup: dup && q > 0, ...(level === 5 && Object.keys(props).length ? { properties: props } : {}),
    }) as Packet);
  const ack = fc.integer({ min: 1, max: 65535 }).map((packetId) => ({ type: 4, packetId }) as Packet);
  const ping = fc.constant({ type: 12 } as Packet);
  return fc.oneof({ weight: 4, arbitrary: pub }, { weight: 1, arbitrary: ack }, { weight: 1, arbitrary: ping });
}

function streamArb(level: ProtocolLevel) {
  return fc.tuple(fc.array(packetArb(level), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }))
    .map(([packets, cuts]) => ({ bytes: concat(packets.map((p) => encoder.encode(p, level))), cuts }));
}

for (const level of [4, 5] as const) {
  const name = `v${level === 4 ? "3.1.1" : "5"}: random PUBLISH streams split at random points decode as when copied`;
  test(name, () => {
    let frames = 0, kept = 0;
    fc.assert(fc.property(streamArb(level), ({ bytes, cuts }) => {
      const flags = same(level, split(bytes, cuts)).flat();
      frames += flags.length;
      kept += flags.filter(Boolean).length;
    }), { numRuns: 300 });
    assert.ok(kept > frames / 10, `${kept} of ${frames} payloads in place`);
  });
}

test("payloads from inPlacePayloadBytes on are in place, smaller ones copied (threshold edges)", () => {
  const sizes = [MIN - 1, MIN, MIN + 1, 0, 5000];
  const bytes = concat(sizes.map((s, i) => encoder.encode(publish(`edge/${i}`, s, (i % 3) as QoS), 4)));
  assert.deepEqual(same(4, [bytes]), [[false, true, true, false, true]]);
  assert.deepEqual(same(4, [bytes], 1), [[true, true, true, false, true]]);
});

test("a packet that started in an earlier push is copied; the next ones are in place again", () => {
  const a = encoder.encode(publish("a", 4000, 1), 5), b = encoder.encode(publish("b", 4000, 2), 5);
  const bytes = concat([a, b, a]);
  for (const cut of [1, 2, 3, 40, 2000, a.length - 1, a.length + 3]) {
    const flags = same(5, [bytes.subarray(0, cut), bytes.subarray(cut)]);
    const byPush = flags.map((f) => f.join());
    if (cut < a.length) assert.deepEqual(byPush, ["", "false,true,true"], `cut ${cut}`);
    else assert.deepEqual(byPush, ["true", "false,true"], `cut ${cut}`);
  }
});

test("a chunk's incomplete last packet is read from that chunk at the next push (kept by reference)", () => {
  const a = encoder.encode(publish("ref/a", 3000, 1), 4), b = encoder.encode(publish("ref/b", 3000, 0), 4);
  const bytes = concat([a, b]);
  const cut = a.length + 1500; // b's head and half its payload in the first chunk
  const first = bytes.slice(0, cut), second = bytes.slice(cut);
  const d = inPlace({ inPlacePayloadBytes: MIN });
  assert.equal(d.push(first).count, 1);
  first[cut - 1] ^= 0xff; // allowed to matter: in-place mode asks callers to leave pushed chunks alone
  const batch = d.push(second);
  assert.equal(batch.count, 1);
  const payload = batch.payload(0);
  assert.equal(payload[1500 - (b.length - 3000) - 1], (b[cut - a.length - 1] ^ 0xff), "the byte changed after the push is the one decoded");
  // A middle chunk shorter than what is missing: the referenced bytes are taken over before appending.
  for (const extra of [1, 10, 1000]) same(4, [bytes.subarray(0, cut), bytes.subarray(cut, cut + extra), bytes.subarray(cut + extra)]);
});

test("in-place payloads are views of the pushed chunk, not copies", () => {
  const chunk = concat([encoder.encode(publish("x/1", 2048, 0), 4), encoder.encode(publish("x/2", 3000, 1), 4)]);
  const d = inPlace({ inPlacePayloadBytes: MIN });
  const b = d.push(chunk);
  assert.equal(b.count, 2);
  const view = b.payload(1), pkt = b.packet(1) as PublishPacket;
  assert.equal(view.buffer, chunk.buffer);
  assert.equal(pkt.payload.buffer, chunk.buffer);
  const at = b.payloadOffset(1);
  chunk[at] ^= 0xff;
  assert.equal(view[0], chunk[at]);
  assert.equal(pkt.payload[0], chunk[at]);
  assert.notEqual(b.bytes[at], chunk[at], "the input region does not hold the payload");
});

test("malformed large PUBLISH heads get the copy path's reason codes", () => {
  const valid = encoder.encode(publish("a/b", 3000, 1), 5);
  const bad: Array<[string, (p: Uint8Array) => void, number]> = [
    ["topic with a wildcard [MQTT-3.3.2-2]", (p) => { p[6] = 0x2b; }, 0x90],
    ["QoS 3 [MQTT-3.3.1-4]", (p) => { p[0] = 0x36; }, 0x81],
    ["packet identifier 0 [MQTT-2.2.1-3]", (p) => { p[8] = 0; p[9] = 0; }, 0x82],
    ["topic not UTF-8 [MQTT-1.5.4-1]", (p) => { p[5] = 0xff; }, 0x81],
    ["unknown property", (p) => { p[10] = 1; p[11] = 0x7f; }, 0x81],
  ];
  for (const [name, mutate, reason] of bad) {
    const p = valid.slice();
    mutate(p);
    const bytes = concat([valid, p, valid]);
    for (const cut of [bytes.length, valid.length + 4, valid.length + 2000]) {
      same(5, [bytes.subarray(0, cut), bytes.subarray(cut)].filter((c) => c.length > 0));
      const d = inPlace({ protocolLevel: 5, inPlacePayloadBytes: MIN });
      let last = 0;
      for (const c of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
        const b = d.push(c);
        if (b.count) last = b.reason(b.count - 1);
      }
      assert.equal(last, reason, `${name}, cut ${cut}`);
    }
  }
});

test("mutated heads of large-PUBLISH streams decode as with the copy path (reason codes included)", () => {
  fc.assert(fc.property(streamArb(5), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
    fc.array(fc.nat(), { maxLength: 3 }), ({ bytes }, edits, cuts) => {
      const b = bytes.slice();
      for (const [at, v] of edits) b[at % Math.min(b.length, 80)] = v;
      same(5, split(b, cuts));
    }), { numRuns: 300 });
});

test("maxPacketSize is still checked on the fixed header; the option is validated", () => {
  const big = encoder.encode(publish("m", 5000, 0), 4);
  const d = inPlace({ maxPacketSize: 4000, inPlacePayloadBytes: MIN });
  assert.equal(d.push(big.subarray(0, 10)).reason(0), 0x95);
  for (const bad of [-1, 1.5, Number.NaN]) {
    assert.throws(() => inPlace({ inPlacePayloadBytes: bad }).push(big), RangeError);
  }
});

test("heads longer than the window, in the middle of a chunk, are asked for and decode as when copied", () => {
  const topics = ["a", "b/c", "t/".padEnd(300, "x"), "d", "t/".padEnd(90, "y"), "t/".padEnd(2000, "z"), "e"];
  const chunk = concat(topics.map((t, i) => encoder.encode(publish(t, 3000 + i, (i % 3) as QoS), 5)));
  assert.deepEqual(same(5, [chunk]), [Array(topics.length).fill(true)]);
  for (const cut of [5, 3100, 3400, 6500, chunk.length - 10]) same(5, [chunk.subarray(0, cut), chunk.subarray(cut)]);
});

test("hundreds of small in-place candidates in one chunk: all in place, as when copied", () => {
  const parts = Array.from({ length: 519 }, (_, i) => encoder.encode(publish(`p/${i % 10}`, 40 + (i % 5), 0), 4));
  const chunk = concat(parts);
  assert.ok(same(4, [chunk], 32)[0].every(Boolean));
  same(4, split(chunk, [7, 5000, 5003, 20000]), 32);
});

test("malformed or odd fixed headers in the middle of a chunk decode as with the copy path", () => {
  const stream = fc.tuple(fc.array(packetArb(5), { minLength: 2, maxLength: 10 }), fc.nat(), fc.array(fc.nat(255), {
    minLength: 1, maxLength: 5,
  }), fc.array(fc.nat(), { maxLength: 3 }));
  fc.assert(fc.property(stream, ([packets, which, header, cuts]) => {
    const parts = packets.map((p) => encoder.encode(p, 5));
    const k = 1 + (which % (parts.length - 1));
    const bad = parts[k].slice(); // its type byte and remaining length replaced, e.g. a 5-byte varint
    bad.set(header.slice(0, bad.length));
    parts[k] = bad;
    const bytes = concat(parts);
    same(5, split(bytes, cuts), 64);
    same(5, [bytes], 64);
  }), { numRuns: 300 });
  const varint5 = Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x7f);
  const big = encoder.encode(publish("big", 5000, 1), 5);
  same(5, [concat([big, big, varint5, big])]);
});
