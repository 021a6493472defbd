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
import { ALLOW_UNSUBSCRIBE } from "./encode_properties";
import {
  beginWithId, encodeCodeList, filtersSize, listCount, listFirst, readList, tableProps,
} from "./encode_subscribe";
import { T_PACKET_ID, eget, putPrefixed, scratchAt, tget } from "./writer";

/** An UNSUBSCRIBE from the table; returns its length or an error. */
export function encodeUnsubscribe(level: u32): i32 {
  const packetId = tget(T_PACKET_ID);
  const bad = readList(packetId); // [MQTT-2.3.1-1] [MQTT-3.10.3-2]
  if (bad < 0) return bad;
  const first = listFirst;
  const count = listCount;
  const props = tableProps(level, ALLOW_UNSUBSCRIBE);
  if (props < 0) return <i32>props;
  const payload = filtersSize(first, count, level, false);
  if (payload < 0) return <i32>payload;
  const total = beginWithId(0xa2, packetId, level, props, <u64>payload);
  if (total < 0) return total;
  for (let e = first; e < first + count; e++) putPrefixed(scratchAt(eget(e, 0)), eget(e, 1));
  return total;
}

/** An UNSUBACK from the table; returns its length or an error. */
export function encodeUnsuback(level: u32): i32 {
  const packetId = tget(T_PACKET_ID);
  if (level < 5) { // no payload before 5.0
    const bad = checkPacketId(packetId);
    return bad < 0 ? bad : beginWithId(0xb0, packetId, level, 0, 0);
  }
  return encodeCodeList(0xb0, level);
}
