// PUBLISH rules: flags (MQTT 3.1.1 §3.3.1, MQTT 5.0 §3.3.1), the topic name (§3.3.2, §4.7) and the
// packet identifier (§2.3.1 / §2.2.1). Decoding is in decode_publish.ts.

import { MALFORMED, PROTOCOL_ERROR } from "./reader";
import { ONES, utf8Valid, zeroByte } from "./utf8";

const TOPIC_NAME_INVALID: i32 = 0x90;

/** 0, or 0x81 (Malformed Packet in 3.1.1 and 5.0) for QoS 3 or DUP set on QoS 0. */
export function validatePublishFlags(flags: u32): i32 {
  const qos = (flags >> 1) & 3;
  if (qos == 3) return MALFORMED; // [MQTT-3.3.1-4]
  if (qos == 0 && (flags & 8) != 0) return MALFORMED; // [MQTT-3.3.1-2]
  return 0;
}

/** 0, or why `len` bytes at `p` are not a valid topic name (`alias` = Topic Alias, 0 when absent). */
export function validateTopicName(p: usize, len: i32, alias: i32): i32 {
  if (len == 0) return alias != 0 ? 0 : PROTOCOL_ERROR; // [MQTT-4.7.3-1] §3.3.2.3.4 empty topic needs an alias
  // [MQTT-1.5.3-1] [MQTT-1.5.3-2] (5.0: [MQTT-1.5.4-1] [MQTT-1.5.4-2]): ill-formed UTF-8 or U+0000
  if (!utf8Valid(p, len)) return MALFORMED;
  if (hasWildcard(p, len)) return TOPIC_NAME_INVALID; // [MQTT-3.3.2-2] no wildcards in a topic name
  return 0;
}

const PLUSES: u64 = ONES * 0x2b;
const HASHES: u64 = ONES * 0x23;

/** True when `len` bytes at `p` hold '+' or '#'. */
export function hasWildcard(p: usize, len: i32): bool {
  const end = p + <usize>len;
  let q = p;
  while (q + 8 <= end) { // whole words without either byte first
    const w = load<u64>(q);
    if ((zeroByte(w ^ PLUSES) | zeroByte(w ^ HASHES)) != 0) break;
    q += 8;
  }
  for (; q < end; q++) {
    const c = load<u8>(q);
    if (c == 0x2b || c == 0x23) return true;
  }
  return false;
}

/**
 * 0, or 0x82 for a zero packet identifier where one is required: the packet parses but holds a
 * value the protocol forbids, a Protocol Error by MQTT 5.0 §1.2 (not 0x81, "cannot be parsed").
 */
export function validatePacketId(id: u32): i32 {
  return id == 0 ? PROTOCOL_ERROR : 0; // [MQTT-2.3.1-1] (3.1.1) [MQTT-2.2.1-3] (5.0)
}
