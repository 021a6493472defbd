// PINGREQ, PINGRESP, DISCONNECT, AUTH (MQTT 3.1.1 §3.12–3.14, MQTT 5.0 §3.12–3.15).
//
//   PINGREQ   1100 0000  0x00          PINGRESP  1101 0000  0x00
//
//   DISCONNECT / AUTH (AUTH is 5.0 only)
//   byte 0   1110 0000 / 1111 0000
//   byte 1   remaining length: 0 in v3 and in the v5 short form (reason 0x00, no properties,
//            MQTT 5.0 §3.14.2.1, §3.15.2.1); else varint
//   v5 long: reason code, property length, properties (the length is written even when 0, as
//            mqtt-packet does: the spec lets a DISCONNECT omit it, an AUTH reader may expect it)
//
// Table: T_TYPE, T_REASON, T_PROPS.
import { ALLOW_AUTH, ALLOW_DISCONNECT, blockSize, propsSize, putProps } from "./encode_properties";
import { E_LEVEL, E_REASON_CODE, T_PROPS, T_REASON, begin, fail, putU8, tget } from "./writer";

/** A packet with no variable header: PINGREQ (12), PINGRESP (13), v3 DISCONNECT (14). */
export function encodeEmpty(type: u32): i32 {
  return begin(type << 4, 0);
}

/** DISCONNECT (14) or AUTH (15) from the table; returns its length or an error. */
export function encodeReasonPacket(type: u32, level: u32): i32 {
  if (level < 5) return type == 15 ? fail(E_LEVEL, level) : encodeEmpty(type);
  const reason = tget(T_REASON);
  const first = tget(T_PROPS);
  const count = tget(T_PROPS + 1);
  if (reason == 0 && count == 0) return encodeEmpty(type);
  if (reason > 0xff) return fail(E_REASON_CODE, reason);
  const props = propsSize(first, count, type == 15 ? ALLOW_AUTH : ALLOW_DISCONNECT);
  if (props < 0) return <i32>props;
  const total = begin(type << 4, 1 + <u64>blockSize(<u32>props));
  if (total < 0) return total;
  putU8(reason);
  putProps(first, count, <u32>props);
  return total;
}
