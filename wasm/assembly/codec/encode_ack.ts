// PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 3.1.1 §3.4–3.7, MQTT 5.0 §3.4–3.7).
//
//   v3.1 / v3.1.1                     v5 short form                v5 long form
//   byte 0   tttt 0000 (PUBREL 0010)   same                         same
//   byte 1   0x02                      0x02                         remaining length (varint)
//   2..3     packet identifier         packet identifier            packet identifier
//                                                                   reason code
//                                                                   property length, properties
//
// The short form is canonical when the reason is 0x00 and there are no properties (MQTT 5.0
// §3.4.2.1). With another reason and no properties the property length 0 is still written, as
// mqtt-packet and most clients do: the spec allows omitting it, but a reader that expects it after a
// reason code then stays in step.
//
// Table: T_TYPE (4..7), T_PACKET_ID, T_REASON, T_PROPS. v3: reason and properties are not sent.
import { ALLOW_ACK, blockSize, propsSize, putProps } from "./encode_properties";
import {
  E_PACKET_ID, E_REASON_CODE, MAX_U16, T_PACKET_ID, T_PROPS, T_REASON, T_TYPE, begin, fail, putU16, putU8, tget,
} from "./writer";

/** First byte: PUBREL's reserved flags are 0010 [MQTT-3.6.1-1], the others 0000. */
// @ts-ignore: decorator
@inline export function ackHeader(type: u32): u32 { return (type << 4) | (type == 6 ? 2 : 0); }

/** Checks a packet identifier that must be present (1..65535, [MQTT-2.3.1-1]); 0 or an error. */
export function checkPacketId(packetId: u32): i32 {
  return packetId == 0 || packetId > MAX_U16 ? fail(E_PACKET_ID, packetId) : 0;
}

/** A PUBACK / PUBREC / PUBREL / PUBCOMP from the table; returns its length or an error. */
export function encodeAck(level: u32): i32 {
  const type = tget(T_TYPE);
  const packetId = tget(T_PACKET_ID);
  const bad = checkPacketId(packetId);
  if (bad < 0) return bad;
  const first = ackHeader(type);
  const count = tget(T_PROPS + 1);
  const reason = tget(T_REASON);
  if (level < 5 || (reason == 0 && count == 0)) {
    const total = begin(first, 2);
    putU16(packetId);
    return total;
  }
  if (reason > 0xff) return fail(E_REASON_CODE, reason);
  const props = propsSize(tget(T_PROPS), count, ALLOW_ACK);
  if (props < 0) return <i32>props;
  const total = begin(first, 3 + <u64>blockSize(<u32>props));
  if (total < 0) return total;
  putU16(packetId);
  putU8(reason);
  putProps(tget(T_PROPS), count, <u32>props);
  return total;
}

/**
 * An ack straight from numbers (the broker's hot path: no table). Same bytes as encodeAck with no
 * properties. Returns the length or an error.
 */
export function encodeAckFrom(type: u32, packetId: u32, reason: u32, level: u32): i32 {
  const bad = checkPacketId(packetId);
  if (bad < 0) return bad;
  if (reason > 0xff) return fail(E_REASON_CODE, reason);
  const long = level >= 5 && reason != 0;
  const total = begin(ackHeader(type), long ? 4 : 2);
  putU16(packetId);
  if (long) {
    putU8(reason);
    putU8(0);
  }
  return total;
}
