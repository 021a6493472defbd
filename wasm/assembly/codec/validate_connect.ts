// CONNECT rules: protocol name and level (MQTT 3.1.1 §3.1.2.1-2, MQTT 5.0 §3.1.2.1-2) and the
// consistency of the connect flags (§3.1.2.3-9). Decoding is in decode_connect.ts.

import { MALFORMED, PROTOCOL_ERROR } from "./reader";

const UNSUPPORTED_PROTOCOL_VERSION: i32 = 0x84;

function ascii4(p: usize, len: i32): bool {
  // "MQTT"
  return len == 4 && load<u32>(p) == 0x5454514d;
}

function ascii6(p: usize, len: i32): bool {
  // "MQIsdp"
  return len == 6 && load<u32>(p) == 0x7349514d && load<u16>(p + 4) == 0x7064;
}

/** 0; 0x82 for an unknown protocol name; 0x84 for a level the name does not support. */
export function validateProtocol(p: usize, len: i32, level: u32): i32 {
  if (ascii4(p, len)) {
    return level == 4 || level == 5 ? 0 : UNSUPPORTED_PROTOCOL_VERSION; // [MQTT-3.1.2-2]
  }
  if (ascii6(p, len)) return level == 3 ? 0 : UNSUPPORTED_PROTOCOL_VERSION; // MQTT 3.1
  return PROTOCOL_ERROR; // [MQTT-3.1.2-1] wrong protocol name: the server closes
}

/** 0, or 0x81 when the connect flags are inconsistent. */
export function validateConnectFlags(f: u32, level: u32): i32 {
  if ((f & 1) != 0) return MALFORMED; // [MQTT-3.1.2-3] reserved bit
  const will = (f & 4) != 0;
  const willQos = (f >> 3) & 3;
  if (!will && willQos != 0) return MALFORMED; // [MQTT-3.1.2-13] (5.0: [MQTT-3.1.2-11])
  if (!will && (f & 0x20) != 0) return MALFORMED; // [MQTT-3.1.2-15] (5.0: [MQTT-3.1.2-13])
  if (willQos == 3) return MALFORMED; // [MQTT-3.1.2-14] (5.0: [MQTT-3.1.2-12])
  if (level < 5 && (f & 0x80) == 0 && (f & 0x40) != 0) return MALFORMED; // [MQTT-3.1.2-22]
  return 0;
}
