// PUBLISH and its acknowledgements PUBACK / PUBREC / PUBREL / PUBCOMP
// (MQTT 3.1.1 §3.3-3.7, MQTT 5.0 §3.3-3.7).
//
// PUBLISH                                 PUBACK 0x40 / PUBREC 0x50 / PUBREL 0x62 / PUBCOMP 0x70
//   +-----------------------------+         +-----------------------------------------+
//   | 0x3_ dup qos qos retain | rl|         | type | remaining length                 |
//   | u16 len | topic name        |         | packet identifier u16                    |
//   | packet id u16 (qos > 0)     |         | v5, rl > 2: reason code                  |
//   | v5: properties              |         | v5, rl > 3: properties                   |
//   | payload (rest of packet)    |         +-----------------------------------------+
//   +-----------------------------+         v5 short forms omit the reason code (0x00) and
//                                            the properties §3.4.2.1.
// The topic stays bytes: only its offset/length reach the frame table.

import { err, fail, fieldLen, fieldPtr, left, lenPrefixed, lim, MALFORMED, pos, toEnd, readU16, readU8 } from "./reader";
import { F_CODE, F_PACKET_ID, F_PAYLOAD_LEN, F_PAYLOAD_OFF, F_TOPIC_ALIAS, F_TOPIC_LEN, F_TOPIC_OFF,
  fset, rel } from "./frame_table";
import { blockTopicAlias, readProperties, setFrameProperties } from "./decode_properties";
import { validatePacketId, validatePublishFlags, validateTopicName } from "./validate_publish";

/** Decodes a PUBLISH body; returns 0 or a reason code. */
export function decodePublish(flags: u32, level: u32): i32 {
  const badFlags = validatePublishFlags(flags);
  if (badFlags != 0) return badFlags;
  if (!lenPrefixed()) return err;
  const topicPtr = fieldPtr;
  const topicLen = fieldLen;
  fset(F_TOPIC_OFF, rel(topicPtr));
  fset(F_TOPIC_LEN, topicLen);
  if (((flags >> 1) & 3) != 0) {
    const id = readU16();
    if (err != 0) return err;
    fset(F_PACKET_ID, <i32>id);
    const badId = validatePacketId(id);
    if (badId != 0) return badId;
  }
  let alias: i32 = 0;
  if (level == 5) {
    if (!readProperties(3)) return err;
    setFrameProperties();
    alias = blockTopicAlias;
    fset(F_TOPIC_ALIAS, alias);
  }
  fset(F_PAYLOAD_OFF, rel(pos));
  fset(F_PAYLOAD_LEN, <i32>(lim - pos));
  toEnd();
  return validateTopicName(topicPtr, topicLen, alias);
}

/** Decodes a PUBACK, PUBREC, PUBREL or PUBCOMP body (type 4..7); returns 0 or a reason code. */
export function decodeAck(type: u32, level: u32): i32 {
  const id = readU16();
  if (err != 0) return err;
  fset(F_PACKET_ID, <i32>id);
  const badId = validatePacketId(id);
  if (badId != 0) return badId;
  if (level == 5 && left() > 0) {
    fset(F_CODE, <i32>readU8());
    if (left() > 0) {
      if (!readProperties(type)) return err;
      setFrameProperties();
    }
  }
  if (pos != lim) fail(MALFORMED); // longer than its fields
  return err;
}
