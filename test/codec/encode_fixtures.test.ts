// Every annotated fixture shared with the decoder (test/fixtures/packets_v4.ts, packets_v5.ts):
// encoding its packet gives its bytes. A few fixtures show wire forms the decoder must accept but the
// encoder never writes; for those the encoder's bytes must still say the same thing (checked through
// mqtt-packet's parser) and, where only the property order differs, hold the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtureBytes } from "../fixtures/fixture.ts";
import { V4_FIXTURES } from "../fixtures/packets_v4.ts";
import { V5_FIXTURES } from "../fixtures/packets_v5.ts";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createEncoder } from "../../src/wasm/encoder.ts";
import { canonical, parseBack } from "./encode_oracle.ts";

const encoder = createEncoder(createCodecWasm());

/** The encoder writes properties in identifier order; these fixtures list them in another order. */
const PROPERTY_ORDER = new Set([
  "v5 CONNECT with every connect and will property",
  "v5 CONNACK with every connack property",
  "v5 PUBLISH qos 1 with every publish property",
  "v5 DISCONNECT with reason and properties",
]);

/**
 * Short forms the spec allows and the encoder does not write: with a non-zero reason it always
 * writes the property length (as mqtt-packet does), and with reason 0x00 and no properties it
 * omits the reason too (the canonical form, see encode_annotated.test.ts).
 */
const OTHER_FORM = new Set([
  "v5 PUBACK reason code, no property length",
  "v5 PUBCOMP reason code success",
  "v5 DISCONNECT reason code only",
]);

const sorted = (b: Uint8Array) => [...b].sort((x, y) => x - y);

for (const f of [...V4_FIXTURES, ...V5_FIXTURES]) {
  test(`fixture: ${f.name}`, () => {
    const ours = encoder.encode(f.packet, f.level);
    const theirs = fixtureBytes(f);
    if (PROPERTY_ORDER.has(f.name)) {
      assert.deepEqual(sorted(ours), sorted(theirs), "same bytes in another order");
      assert.deepEqual(ours.subarray(0, 2), theirs.subarray(0, 2), "same fixed header");
    } else if (!OTHER_FORM.has(f.name)) {
      assert.deepEqual(ours, theirs);
    }
    // mqtt-packet's parser reads an AUTH reason code unconditionally: it cannot read the short form.
    if (!(f.packet.type === 15 && ours.length === 2)) {
      assert.deepEqual(parseBack(ours, f.level), canonical(f.packet, f.level));
    }
  });
}
