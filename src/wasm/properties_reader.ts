/**
 * Materialises MQTT 5 properties from the decoder's property table (cold path: allocates).
 * Each entry is [id, a, b, c, d]: a number in `a`, or offset/length of a string or binary in a/b,
 * or a user property's name in a/b and value in c/d. Offsets index the batch's `bytes`.
 */
import type { Properties } from "../protocol/packets.ts";
import { PROP_WORDS } from "../../wasm/assembly/codec/frame_layout.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Property id → Properties key, and how its value is read. */
const NUMBER: Record<number, keyof Properties> = {
  0x01: "payloadFormatIndicator", 0x02: "messageExpiryInterval", 0x11: "sessionExpiryInterval",
  0x13: "serverKeepAlive", 0x17: "requestProblemInformation", 0x18: "willDelayInterval",
  0x19: "requestResponseInformation", 0x21: "receiveMaximum", 0x22: "topicAliasMaximum", 0x23: "topicAlias",
  0x24: "maximumQoS", 0x25: "retainAvailable", 0x27: "maximumPacketSize", 0x28: "wildcardSubscriptionAvailable",
  0x29: "subscriptionIdentifierAvailable", 0x2a: "sharedSubscriptionAvailable",
};
const STRING: Record<number, keyof Properties> = {
  0x03: "contentType", 0x08: "responseTopic", 0x12: "assignedClientIdentifier", 0x15: "authenticationMethod",
  0x1a: "responseInformation", 0x1c: "serverReference", 0x1f: "reasonString",
};
const BINARY: Record<number, keyof Properties> = { 0x09: "correlationData", 0x16: "authenticationData" };

/** Decodes `len` UTF-8 bytes at `off` (already validated in WASM). */
export function utf8At(bytes: Uint8Array, off: number, len: number): string {
  return len === 0 ? "" : utf8.decode(bytes.subarray(off, off + len));
}

/** A copy (not a view) of `len` bytes at `off`: the batch memory is reused by the next push. */
export function copyAt(bytes: Uint8Array, off: number, len: number): Uint8Array {
  return bytes.slice(off, off + len);
}

/** Properties of `count` entries from entry `first`; undefined when there are none. */
export function readProperties(
  table: Int32Array, base: number, first: number, count: number, bytes: Uint8Array,
): Properties | undefined {
  if (count === 0) return undefined;
  // deno-lint-ignore no-explicit-any
  const out: Record<string, any> = {};
  for (let k = 0; k < count; k++) {
    const at = base + (first + k) * PROP_WORDS;
    const id = table[at], a = table[at + 1], b = table[at + 2];
    if (id === 0x26) {
      (out.userProperties ??= []).push([utf8At(bytes, a, b), utf8At(bytes, table[at + 3], table[at + 4])]);
    } else if (id === 0x0b) {
      (out.subscriptionIdentifiers ??= []).push(a >>> 0);
    } else if (STRING[id]) {
      out[STRING[id]] = utf8At(bytes, a, b);
    } else if (BINARY[id]) {
      out[BINARY[id]] = copyAt(bytes, a, b);
    } else if (NUMBER[id]) {
      out[NUMBER[id]] = a >>> 0;
    }
  }
  return out as Properties;
}
