// The topic name checks read 8 bytes at a time where they can (ASCII with no U+0000, '+' or '#')
// and byte by byte from the first other word. Every offending byte must be found wherever it sits:
// in a skipped word, across a word edge, or in the tail. [MQTT-1.5.3-1] [MQTT-1.5.3-2] [MQTT-3.3.2-2]
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";

const decoders = createDecoderFactory(createCodecWasm());

/** A 3.1.1 QoS 0 PUBLISH with `topic` as its raw name bytes and a 1-byte payload. */
function publish(topic: Uint8Array): Uint8Array {
  return Uint8Array.from([0x30, 2 + topic.length + 1, 0, topic.length, ...topic, 0x2a]);
}

/** The reason code of the one frame `topic` decodes to (0 = valid). */
function reasonFor(topic: Uint8Array): number {
  const batch = decoders({ protocolLevel: 4 }).push(publish(topic));
  assert.equal(batch.count, 1);
  return batch.reason(0);
}

const INSERTS: ReadonlyArray<[string, number[], number]> = [
  ["'+'", [0x2b], 0x90],
  ["'#'", [0x23], 0x90],
  ["U+0000", [0x00], 0x81],
  ["a lone continuation byte", [0x80], 0x81],
  ["0xFF", [0xff], 0x81],
  ["a lead byte without its continuation", [0xc3], 0x81],
  ["a surrogate (ED A0 80)", [0xed, 0xa0, 0x80], 0x81],
  ["a valid 'é' (C3 A9)", [0xc3, 0xa9], 0],
  ["a valid '€' (E2 82 AC)", [0xe2, 0x82, 0xac], 0],
];

test("topic scan: every offending byte is found at every position of topics up to 26 bytes", () => {
  let checked = 0;
  for (const [what, insert, expected] of INSERTS) {
    for (let len = insert.length; len <= 26; len++) {
      for (let at = 0; at + insert.length <= len; at++) {
        const topic = new Uint8Array(len).fill(0x61); // 'a'
        topic.set(insert, at);
        assert.equal(reasonFor(topic), expected, `${what} at ${at} of ${len}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 2000);
});

test("topic scan: long plain ASCII topics are valid; a wildcard after 8 clean words is not", () => {
  const clean = new TextEncoder().encode("sensors/building-7/room-12/temperature/celsius/x");
  assert.equal(reasonFor(clean), 0);
  const tail = new Uint8Array(clean.length + 1);
  tail.set(clean);
  tail[clean.length] = 0x23;
  assert.equal(reasonFor(tail), 0x90);
});
