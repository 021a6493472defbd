// MQTT 5 property rules (MQTT 5.0 §2.2.2.2): the packets each identifier may appear in, which may
// repeat, and the values it may take (data types: property_kinds.ts). Decoding is in decode_properties.ts.

import { MALFORMED, PROTOCOL_ERROR } from "./reader";

/** Property contexts: a packet type 1..15, or 0 for the will properties of a CONNECT. */
export const CTX_WILL: u32 = 0;

const TOPIC_ALIAS_INVALID: i32 = 0x94;

// @ts-ignore: decorator
@inline function bit(ctx: u32): u32 { return 1 << ctx; }

const ACKS: u32 = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7);
const ALL: u32 = 0xcfff; // will, CONNECT..UNSUBACK, DISCONNECT, AUTH (not PINGREQ/PINGRESP)

/** Bit set of the contexts property `id` may appear in (MQTT 5.0 §2.2.2.2 table). */
function contexts(id: u32): u32 {
  switch (id) {
    case 0x01: case 0x02: case 0x03: case 0x08: case 0x09: return bit(CTX_WILL) | bit(3);
    case 0x0b: return bit(3) | bit(8);
    case 0x11: return bit(1) | bit(2) | bit(14);
    case 0x12: case 0x13: case 0x1a: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2a: return bit(2);
    case 0x15: case 0x16: return bit(1) | bit(2) | bit(15);
    case 0x17: case 0x19: return bit(1);
    case 0x18: return bit(CTX_WILL);
    case 0x1c: return bit(2) | bit(14);
    case 0x1f: return bit(2) | ACKS | bit(9) | bit(11) | bit(14) | bit(15);
    case 0x21: case 0x22: case 0x27: return bit(1) | bit(2);
    case 0x23: return bit(3);
    case 0x26: return ALL;
  }
  return 0;
}

/** 0, or 0x81 when `id` is unknown or not allowed in `ctx`. */
export function checkPropertyAllowed(id: u32, ctx: u32): i32 {
  // §2.2.2.2: an identifier not valid for its packet type is a Malformed Packet.
  return (contexts(id) & bit(ctx)) != 0 ? 0 : MALFORMED;
}

/** True when `id` may appear more than once in `ctx`. */
export function repeatable(id: u32, ctx: u32): bool {
  if (id == 0x26) return true; // user properties may repeat, names too [MQTT-3.3.2-18]
  return id == 0x0b && ctx == 3; // several subscription identifiers on a server→client PUBLISH
}

/** 0, or the reason code for a numeric property value outside its range. */
export function checkPropertyValue(id: u32, v: u32): i32 {
  switch (id) {
    case 0x23: return v == 0 ? TOPIC_ALIAS_INVALID : 0; // [MQTT-3.3.2-8] topic alias 0 not permitted
    case 0x0b: return v == 0 ? PROTOCOL_ERROR : 0; // §3.8.2.1.2 subscription identifier 0
    case 0x21: return v == 0 ? PROTOCOL_ERROR : 0; // §3.1.2.11.3 receive maximum 0
    case 0x27: return v == 0 ? PROTOCOL_ERROR : 0; // §3.1.2.11.4 maximum packet size 0
    case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2a:
      return v > 1 ? PROTOCOL_ERROR : 0; // §3.1.2.11.6/7, §3.2.2.3.x: 0 or 1 only
  }
  return 0;
}
