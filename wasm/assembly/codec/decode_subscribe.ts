// SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (MQTT 3.1.1 §3.8-3.11, MQTT 5.0 §3.8-3.11).
//
// SUBSCRIBE 0x82                  SUBACK 0x90                 UNSUBSCRIBE 0xA2      UNSUBACK 0xB0
//   | packet id u16       |        | packet id u16      |      | packet id u16  |   | packet id u16   |
//   | v5: properties      |        | v5: properties     |      | v5: properties |   | v5: properties  |
//   | filter (string)     |        | codes (1 byte each)|      | filter (string)|   | v5: codes       |
//   | options: rh rap nl q|        +--------------------+      | ...            |   +-----------------+
//   | ...                 |
// Field table per filter: [offset, length, options, 0]. SUBACK/UNSUBACK codes: the frame's payload.

import { err, fail, fieldLen, fieldPtr, left, lenPrefixed, lim, MALFORMED, pos, toEnd, readU16, readU8 } from "./reader";
import { F_FIELD_COUNT, F_FIELD_FIRST, F_PACKET_ID, F_PAYLOAD_LEN, F_PAYLOAD_OFF, fieldPush, fieldUsed,
  fset, rel, tableFull } from "./frame_table";
import { readProperties, setFrameProperties } from "./decode_properties";
import { utf8Valid } from "./utf8";
import { validatePacketId } from "./validate_publish";
import { validateFilterCount, validateSubackCodes, validateSubscriptionOptions } from "./validate_subscribe";

/** Packet identifier and (v5) properties: the common head of all four packets. */
function readHead(type: u32, level: u32): i32 {
  const id = readU16();
  if (err != 0) return err;
  fset(F_PACKET_ID, <i32>id);
  const badId = validatePacketId(id);
  if (badId != 0) return badId;
  if (level == 5) {
    if (!readProperties(type)) return err;
    setFrameProperties();
  }
  return 0;
}

/** Decodes a SUBSCRIBE (type 8) or UNSUBSCRIBE (type 10) body; returns 0 or a reason code. */
export function decodeSubscribe(type: u32, level: u32): i32 {
  const head = readHead(type, level);
  if (head != 0 || tableFull != 0) return head;
  const first = fieldUsed;
  fset(F_FIELD_FIRST, <i32>first);
  while (pos < lim) {
    if (!lenPrefixed()) return err;
    const p = fieldPtr;
    const n = fieldLen;
    // [MQTT-1.5.3-1] [MQTT-1.5.3-2] (5.0: [MQTT-1.5.4-1] [MQTT-1.5.4-2])
    if (!utf8Valid(p, n)) return MALFORMED;
    let opts: u32 = 0;
    if (type == 8) {
      opts = readU8();
      if (err != 0) return err;
      const bad = validateSubscriptionOptions(opts, level, p, n);
      if (bad != 0) return bad;
    }
    if (!fieldPush(rel(p), n, <i32>opts, 0)) return 0;
    fset(F_FIELD_COUNT, <i32>(fieldUsed - first));
  }
  return validateFilterCount(type, fieldUsed - first);
}

/** Decodes a SUBACK (type 9) or UNSUBACK (type 11) body; returns 0 or a reason code. */
export function decodeSuback(type: u32, level: u32): i32 {
  const head = readHead(type, level);
  if (head != 0 || tableFull != 0) return head;
  fset(F_PAYLOAD_OFF, rel(pos));
  fset(F_PAYLOAD_LEN, left());
  if (type == 11 && level < 5) {
    if (pos != lim) fail(MALFORMED); // 3.1.1 UNSUBACK has no payload
    return err;
  }
  const bad = validateSubackCodes(pos, left(), level);
  toEnd();
  return bad;
}
