// CONNACK (MQTT 3.1 §3.2, MQTT 3.1.1 §3.2, MQTT 5.0 §3.2).
//
//   byte 0   0010 0000
//   byte 1   remaining length (2 in v3; varint in v5)
//   byte 2   acknowledge flags: 0000 000S   S = session present (3.1.1 and 5.0; 3.1: reserved, 0)
//   byte 3   v3: return code 0..5 (§3.2.2.3)   v5: reason code
//   v5:      property length, properties
//
// Table: T_FLAGS bit 0 = session present, T_REASON, T_PROPS.
import { ALLOW_CONNACK, blockSize, propsSize, putProps } from "./encode_properties";
import { E_REASON_CODE, E_SESSION_PRESENT, T_FLAGS, T_PROPS, T_REASON, begin, fail, putU8, tget } from "./writer";

/** Highest MQTT 3.1 / 3.1.1 CONNACK return code (5 = not authorized). */
const MAX_RETURN_CODE: u32 = 5;

/** A CONNACK from the table; returns its length or an error. */
export function encodeConnack(level: u32): i32 {
  const reason = tget(T_REASON);
  // MQTT 3.1 had no session present flag: the byte is reserved there.
  const ackFlags: u32 = level >= 4 ? tget(T_FLAGS) & 1 : 0;
  // [MQTT-3.2.2-4] (3.1.1: any refusal) / [MQTT-3.2.2-6] (5.0: reason >= 0x80): no session present.
  if (ackFlags != 0 && (level < 5 ? reason != 0 : reason >= 0x80)) return fail(E_SESSION_PRESENT, reason);
  if (level < 5) {
    if (reason > MAX_RETURN_CODE) return fail(E_REASON_CODE, reason);
    const total = begin(0x20, 2);
    putU8(ackFlags);
    putU8(reason);
    return total;
  }
  if (reason > 0xff) return fail(E_REASON_CODE, reason);
  const first = tget(T_PROPS);
  const count = tget(T_PROPS + 1);
  const props = propsSize(first, count, ALLOW_CONNACK);
  if (props < 0) return <i32>props;
  const total = begin(0x20, 2 + <u64>blockSize(<u32>props));
  if (total < 0) return total;
  putU8(ackFlags);
  putU8(reason);
  putProps(first, count, <u32>props);
  return total;
}
