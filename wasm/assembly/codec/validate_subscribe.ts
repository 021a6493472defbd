// SUBSCRIBE / UNSUBSCRIBE / SUBACK rules (MQTT 3.1.1 §3.8-3.11, MQTT 5.0 §3.8-3.11): subscription
// options, non-empty payloads, SUBACK return codes. Decoding is in decode_subscribe.ts.
// Topic-filter syntax (wildcard placement) is the broker's business: it answers 0x8F per filter.

import { MALFORMED, PROTOCOL_ERROR } from "./reader";

/** 0, or the reason code for invalid subscription options of filter `p`/`len`. */
export function validateSubscriptionOptions(opts: u32, level: u32, p: usize, len: i32): i32 {
  if ((opts & 3) == 3) return MALFORMED; // [MQTT-3-8.3-4] (5.0: §3.8.3.1 qos 3)
  if (level < 5) return (opts & 0xfc) != 0 ? MALFORMED : 0; // [MQTT-3-8.3-4] reserved bits
  if ((opts & 0xc0) != 0) return MALFORMED; // [MQTT-3.8.3-5] reserved bits
  if (((opts >> 4) & 3) == 3) return PROTOCOL_ERROR; // §3.8.3.1 retain handling 3
  if ((opts & 4) != 0 && isShared(p, len)) return PROTOCOL_ERROR; // [MQTT-3.8.3-4] no local on a shared sub
  return 0;
}

/** True for "$share/…" filters (MQTT 5.0 §4.8.2). */
function isShared(p: usize, len: i32): bool {
  // "$sha" "re/"
  return len > 7 && load<u32>(p) == 0x61687324 && load<u16>(p + 4) == 0x6572 && load<u8>(p + 6) == 0x2f;
}

/** 0, or 0x82 for a SUBSCRIBE / UNSUBSCRIBE without any topic filter. */
export function validateFilterCount(type: u32, count: u32): i32 {
  // SUBSCRIBE [MQTT-3.8.3-3] (5.0: [MQTT-3.8.3-2]), UNSUBSCRIBE [MQTT-3.10.3-2]
  return count == 0 && (type == 8 || type == 10) ? PROTOCOL_ERROR : 0;
}

/** 0, or 0x81 for a 3.1.1 SUBACK return code other than 0, 1, 2, 0x80. */
export function validateSubackCodes(p: usize, len: i32, level: u32): i32 {
  if (level >= 5) return 0;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(p + <usize>i);
    if (c > 2 && c != 0x80) return MALFORMED; // [MQTT-3.9.3-2]
  }
  return 0;
}
