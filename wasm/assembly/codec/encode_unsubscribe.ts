// UNSUBSCRIBE and UNSUBACK (MQTT 3.1.1 §3.10–3.11, MQTT 5.0 §3.10–3.11).
//
//   UNSUBSCRIBE                                 UNSUBACK
//   byte 0   1010 0010 [MQTT-3.10.1-1]          byte 0   1011 0000
//   1..4     remaining length                   byte 1   v3: 0x02         v5: remaining length
//   +2       packet identifier                  +2       packet identifier
//   v5:      property length, properties        v5:      property length, properties
//   per filter: u16 length, UTF-8               v5:      one reason code per filter (v3: no payload)
//
// Table: T_PACKET_ID, T_PROPS, T_LIST = filter entries (UNSUBSCRIBE) or reason code entries (UNSUBACK).
import { checkPacketId } from "./encode_ack";
import { ALLOW_ACK, ALLOW_UNSUBSCRIBE, putProps } from "./encode_properties";
import { checkCodes, propBytes, putCodes, tableProps } from "./encode_subscribe";
import {
  E_EMPTY_LIST, E_EMPTY_TOPIC, E_STRING_LENGTH, F_FILTER, MAX_U16, T_LIST, T_PACKET_ID, T_PROPS, begin, eget,
  fail, putPrefixed, putU16, scratchAt, tget,
} from "./writer";

/** Payload size of the filter list, or an error. */
function filtersSize(first: u32, count: u32): i64 {
  let size: i64 = 0;
  for (let e = first; e < first + count; e++) {
    const len = eget(e, 1);
    if (len == 0) return fail(E_EMPTY_TOPIC, F_FILTER); // [MQTT-4.7.3-1]
    if (len > MAX_U16) return fail(E_STRING_LENGTH, F_FILTER);
    size += 2 + <i64>len;
  }
  return size;
}

/** An UNSUBSCRIBE from the table; returns its length or an error. */
export function encodeUnsubscribe(level: u32): i32 {
  const packetId = tget(T_PACKET_ID);
  const bad = checkPacketId(packetId);
  if (bad < 0) return bad;
  const first = tget(T_LIST);
  const count = tget(T_LIST + 1);
  if (count == 0) return fail(E_EMPTY_LIST, 0); // [MQTT-3.10.3-2]
  const props = tableProps(level, ALLOW_UNSUBSCRIBE);
  if (props < 0) return <i32>props;
  const payload = filtersSize(first, count);
  if (payload < 0) return <i32>payload;
  const total = begin(0xa2, 2 + propBytes(level, props) + <u64>payload);
  if (total < 0) return total;
  putU16(packetId);
  if (level >= 5) putProps(tget(T_PROPS), tget(T_PROPS + 1), <u32>props);
  for (let e = first; e < first + count; e++) putPrefixed(scratchAt(eget(e, 0)), eget(e, 1));
  return total;
}

/** An UNSUBACK from the table; returns its length or an error. */
export function encodeUnsuback(level: u32): i32 {
  const packetId = tget(T_PACKET_ID);
  const bad = checkPacketId(packetId);
  if (bad < 0) return bad;
  if (level < 5) {
    const short = begin(0xb0, 2);
    putU16(packetId);
    return short;
  }
  const first = tget(T_LIST);
  const count = tget(T_LIST + 1);
  if (count == 0) return fail(E_EMPTY_LIST, 0); // one reason code per filter, and there is at least one
  const codes = checkCodes(first, count, level);
  if (codes < 0) return codes;
  const props = tableProps(level, ALLOW_ACK);
  if (props < 0) return <i32>props;
  const total = begin(0xb0, 2 + propBytes(level, props) + <u64>count);
  if (total < 0) return total;
  putU16(packetId);
  putProps(tget(T_PROPS), tget(T_PROPS + 1), <u32>props);
  putCodes(first, count);
  return total;
}
