// SUBSCRIBE and SUBACK (MQTT 3.1.1 §3.8–3.9, MQTT 5.0 §3.8–3.9).
//
//   SUBSCRIBE                                   SUBACK
//   byte 0   1000 0010 [MQTT-3.8.1-1]           byte 0   1001 0000
//   1..4     remaining length                   1..4     remaining length
//   +2       packet identifier                  +2       packet identifier
//   v5:      property length, properties        v5:      property length, properties
//   per subscription:                           per subscription: one return / reason code
//     +2, +n  topic filter (u16 length, UTF-8)    v3: 0x00 0x01 0x02 granted QoS, 0x80 failure
//     +1      options  v3: 0000 00QQ               v5: any reason code (§3.9.3)
//                      v5: 00RR PNQQ  R retain handling, P retain as published, N no local
//
// Table: T_PACKET_ID, T_PROPS, T_LIST = subscription entries (offset, length, qos, N | P << 1 | R << 2)
// for SUBSCRIBE, reason code entries for SUBACK.
import { checkPacketId } from "./encode_ack";
import {
  ALLOW_ACK, ALLOW_SUBSCRIBE, P_SUBSCRIPTION_IDENTIFIER, blockSize, propsSize, putProps, seenSubscriptionIds,
} from "./encode_properties";
import {
  E_EMPTY_LIST, E_EMPTY_TOPIC, E_PROPERTY_REPEATED, E_QOS, E_REASON_CODE, E_STRING_LENGTH,
  E_SUBSCRIPTION_OPTIONS, F_FILTER, MAX_U16, T_LIST, T_PACKET_ID, T_PROPS, begin, eget, fail, putPrefixed,
  putU16, putU8, scratchAt, tget,
} from "./writer";

/** Properties of the table (v5 only; 0 below): their size, or an error. */
export function tableProps(level: u32, allowed: u64): i64 {
  return level >= 5 ? propsSize(tget(T_PROPS), tget(T_PROPS + 1), allowed) : 0;
}

/** Bytes of the property block as sent at `level`. */
// @ts-ignore: decorator
@inline export function propBytes(level: u32, props: i64): u64 { return level >= 5 ? <u64>blockSize(<u32>props) : 0; }

/** First entry and entry count of the table's list (T_LIST), set by `readList`. */
export let listFirst: u32 = 0;
export let listCount: u32 = 0;

/**
 * Checks the packet identifier and reads the list bounds of a SUBSCRIBE, SUBACK, UNSUBSCRIBE or
 * v5 UNSUBACK; 0, or an error (each has a packet id and at least one entry).
 */
export function readList(packetId: u32): i32 {
  const bad = checkPacketId(packetId);
  if (bad < 0) return bad;
  listFirst = tget(T_LIST);
  listCount = tget(T_LIST + 1);
  return listCount == 0 ? fail(E_EMPTY_LIST, 0) : 0;
}

/**
 * Writes the fixed header (`b0`, remaining length for `payload` bytes after them), the packet
 * identifier and, at level 5, the property block of size `props`. Returns the total length or an error.
 */
export function beginWithId(b0: u32, packetId: u32, level: u32, props: i64, payload: u64): i32 {
  const total = begin(b0, 2 + propBytes(level, props) + payload);
  if (total < 0) return total;
  putU16(packetId);
  if (level >= 5) putProps(tget(T_PROPS), tget(T_PROPS + 1), <u32>props);
  return total;
}

/** Options byte of subscription entry `e`, or an error. */
function options(e: u32, level: u32): i32 {
  const qos = eget(e, 2);
  if (qos > 2) return fail(E_QOS, qos); // 3.1.1 [MQTT-3.8.3-4]; 5.0 §3.8.3.1: QoS 3 is a protocol error
  if (level < 5) return <i32>qos; // bits 2..7 are reserved (0) before 5.0 [MQTT-3.8.3-4]
  const v5 = eget(e, 3);
  if ((v5 >> 2) > 2) return fail(E_SUBSCRIPTION_OPTIONS, v5 >> 2); // retain handling 3 is a protocol error
  return <i32>(qos | ((v5 & 1) << 2) | ((v5 & 2) << 2) | ((v5 >> 2) << 4));
}

/** Payload size of a filter list (SUBSCRIBE: each filter with its options byte), or an error. */
export function filtersSize(first: u32, count: u32, level: u32, withOptions: bool): i64 {
  let size: i64 = 0;
  for (let e = first; e < first + count; e++) {
    const len = eget(e, 1);
    if (len == 0) return fail(E_EMPTY_TOPIC, F_FILTER); // [MQTT-4.7.3-1]
    if (len > MAX_U16) return fail(E_STRING_LENGTH, F_FILTER);
    if (withOptions) {
      const opts = options(e, level);
      if (opts < 0) return opts;
      size += 1;
    }
    size += 2 + <i64>len;
  }
  return size;
}

/** A SUBSCRIBE from the table; returns its length or an error. */
export function encodeSubscribe(level: u32): i32 {
  const packetId = tget(T_PACKET_ID);
  const bad = readList(packetId); // [MQTT-2.3.1-1] [MQTT-3.8.3-3]
  if (bad < 0) return bad;
  const first = listFirst;
  const count = listCount;
  const props = tableProps(level, ALLOW_SUBSCRIBE);
  if (props < 0) return <i32>props;
  // A SUBSCRIBE carries at most one Subscription Identifier (MQTT 5.0 §3.8.2.1.2).
  if (level >= 5 && seenSubscriptionIds > 1) return fail(E_PROPERTY_REPEATED, P_SUBSCRIPTION_IDENTIFIER);
  const payload = filtersSize(first, count, level, true);
  if (payload < 0) return <i32>payload;
  const total = beginWithId(0x82, packetId, level, props, <u64>payload);
  if (total < 0) return total;
  for (let e = first; e < first + count; e++) {
    putPrefixed(scratchAt(eget(e, 0)), eget(e, 1));
    putU8(<u32>options(e, level));
  }
  return total;
}

/** Checks a list of reason code entries: v3 only granted QoS or 0x80 (§3.9.3), v5 any byte. */
function checkCodes(first: u32, count: u32, level: u32): i32 {
  for (let e = first; e < first + count; e++) {
    const code = eget(e, 0);
    if (level < 5 ? code > 2 && code != 0x80 : code > 0xff) return fail(E_REASON_CODE, code);
  }
  return 0;
}

/** Writes the reason code entries, one byte each. */
function putCodes(first: u32, count: u32): void {
  for (let e = first; e < first + count; e++) putU8(eget(e, 0));
}

/** A SUBACK from the table; returns its length or an error. */
export function encodeSuback(level: u32): i32 {
  return encodeCodeList(0x90, level);
}

/**
 * A SUBACK (0x90) or v5 UNSUBACK (0xb0): packet id, properties, one reason code per filter of the
 * request (so at least one). Returns its length or an error.
 */
export function encodeCodeList(b0: u32, level: u32): i32 {
  const packetId = tget(T_PACKET_ID);
  const bad = readList(packetId);
  if (bad < 0) return bad;
  const first = listFirst;
  const count = listCount;
  const codes = checkCodes(first, count, level);
  if (codes < 0) return codes;
  const props = tableProps(level, ALLOW_ACK);
  if (props < 0) return <i32>props;
  const total = beginWithId(b0, packetId, level, props, <u64>count);
  if (total < 0) return total;
  putCodes(first, count);
  return total;
}
