// Fixed-header rules: packet types and the reserved flag bits of each (MQTT 3.1.1 §2.2.2,
// MQTT 5.0 §2.1.3). PUBLISH flags carry dup/qos/retain and are checked in validate_publish.ts.

import { MALFORMED } from "./reader";

/** 0, or 0x81 when the type is reserved or its flag bits are not the required ones. */
export function validateFixedHeader(type: u32, flags: u32, level: u32): i32 {
  if (type == 0) return MALFORMED; // type 0 is reserved (forbidden)
  if (type == 15 && level < 5) return MALFORMED; // AUTH is reserved before MQTT 5
  if (type == 3) return 0;
  if (type == 6 || type == 8 || type == 10) {
    // MQTT 3.1 (level 3) sets DUP on retries of these (3.1 §2.1: PUBREL, SUBSCRIBE, UNSUBSCRIBE
    // use QoS 1 and may carry DUP); the exact-0010 rule is 3.1.1's and 5.0's.
    if (level == 3) return (flags & 7) == 2 ? 0 : MALFORMED;
    // [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1] [MQTT-2.2.2-2] (5.0: [MQTT-2.1.3-1])
    return flags == 2 ? 0 : MALFORMED;
  }
  return flags == 0 ? 0 : MALFORMED; // [MQTT-2.2.2-1] [MQTT-2.2.2-2] (5.0: [MQTT-2.1.3-1])
}
