// PUBLISH (MQTT 3.1.1 §3.3, MQTT 5.0 §3.3), from the table or from bytes already in WASM memory.
//
//   byte 0        0011 D QQ R     type 3, DUP, QoS, RETAIN
//   1..4          remaining length (varint)
//   +2, +n        topic name: u16 length, UTF-8            (v5: may be empty with a Topic Alias)
//   +2            packet identifier                        (QoS 1 and 2 only)
//   v5: varint    property length, then properties
//   rest          payload (no length prefix: it runs to the end of the packet)
//
// Table: T_FLAGS = DUP << 3 | RETAIN, T_QOS, T_PACKET_ID, A = topic, B = payload, T_PROPS.
import {
  ALLOW_PUBLISH, P_SUBSCRIPTION_IDENTIFIER, P_TOPIC_ALIAS, blockSize, propsSize, putProps, putRawKept,
  rawKeptSize, seenTopicAlias,
} from "./encode_properties";
import {
  E_DUP_QOS0, E_EMPTY_TOPIC, E_OUT_OF_BOUNDS, E_PACKET_ID, E_PROPERTY_VALUE, E_QOS, E_STRING_LENGTH, E_TOO_LARGE,
  F_TOPIC, MAX_REMAINING, MAX_U16, T_A, T_B,
  T_FLAGS, T_PACKET_ID, T_PROPS, T_QOS, begin, fail, putBytes, putField, putU16, putU8, putVarint,
  inMemory, scratchAt, tget, varintSize,
} from "./writer";

/** Checks the fixed-header fields every PUBLISH shares; 0 or an error. */
function checkPublish(dup: bool, qos: u32, packetId: u32, topicLen: u32): i32 {
  if (qos > 2) return fail(E_QOS, qos); // [MQTT-3.3.1-4]
  if (dup && qos == 0) return fail(E_DUP_QOS0, 0); // [MQTT-3.3.1-2]
  if (qos > 0 && (packetId == 0 || packetId > MAX_U16)) return fail(E_PACKET_ID, packetId); // [MQTT-2.3.1-1]
  if (topicLen > MAX_U16) return fail(E_STRING_LENGTH, F_TOPIC);
  return 0;
}

/** Bytes before the properties and payload: topic and packet id. */
// @ts-ignore: decorator
@inline function headSize(topicLen: u32, qos: u32): u64 { return 2 + <u64>topicLen + (qos > 0 ? 2 : 0); }

/**
 * PUBLISH from the table; returns the packet length or an error. With `withPayload` false the
 * payload (B's length, counted in the remaining length) is left for the caller to append, and the
 * bytes written before it are returned.
 */
export function encodePublish(level: u32, withPayload: bool): i32 {
  const flags = tget(T_FLAGS);
  const qos = tget(T_QOS);
  const packetId = tget(T_PACKET_ID);
  const topicLen = tget(T_A + 1);
  const payloadLen = tget(T_B + 1);
  const bad = checkPublish((flags & 8) != 0, qos, packetId, topicLen);
  if (bad < 0) return bad;
  let props: i64 = 0;
  if (level >= 5) {
    props = propsSize(tget(T_PROPS), tget(T_PROPS + 1), ALLOW_PUBLISH);
    if (props < 0) return <i32>props;
  }
  // [MQTT-4.7.3-1]; v5 allows a zero-length topic when a Topic Alias stands for it (MQTT 5.0 §3.3.2.1)
  if (topicLen == 0 && !(level >= 5 && seenTopicAlias)) return fail(E_EMPTY_TOPIC, F_TOPIC);
  const propBytes: u64 = level >= 5 ? <u64>blockSize(<u32>props) : 0;
  const total = begin(0x30 | (flags & 9) | (qos << 1), headSize(topicLen, qos) + propBytes + <u64>payloadLen,
    withPayload ? 0 : payloadLen);
  if (total < 0) return total;
  putField(T_A);
  if (qos > 0) putU16(packetId);
  if (level >= 5) putProps(tget(T_PROPS), tget(T_PROPS + 1), <u32>props);
  if (!withPayload) return total - <i32>payloadLen;
  putBytes(scratchAt(tget(T_B)), payloadLen);
  return total;
}

/**
 * PUBLISH from bytes already in WASM memory (absolute addresses: the decoder's input region, a
 * stored topic, …). v5: the raw property block is copied without its per-hop Topic Alias and
 * Subscription Identifier properties; `topicAlias` / `subscriptionId` (0 = none) are appended.
 * With `withPayload` false only the bytes before the payload are written (the caller sends the
 * payload itself). Returns the bytes written or an error.
 */
export function encodePublishFrom(
  flags: u32, packetId: u32, topic: usize, topicLen: u32, props: usize, propsLen: u32,
  payload: usize, payloadLen: u32, level: u32, subscriptionId: u32, topicAlias: u32, withPayload: bool,
): i32 {
  const qos = (flags >> 1) & 3;
  const bad = checkPublish((flags & 8) != 0, qos, packetId, topicLen);
  if (bad < 0) return bad;
  let kept: i64 = 0;
  let propBytes: u64 = 0;
  if (level >= 5) {
    if (topicAlias > MAX_U16) return fail(E_PROPERTY_VALUE, P_TOPIC_ALIAS);
    if (subscriptionId > 268435455) return fail(E_PROPERTY_VALUE, P_SUBSCRIPTION_IDENTIFIER);
    if (!inMemory(props, propsLen)) return fail(E_OUT_OF_BOUNDS, 0);
    kept = rawKeptSize(props, propsLen);
    if (kept < 0) return <i32>kept;
    const extra: u32 = (topicAlias > 0 ? 3 : 0) + (subscriptionId > 0 ? 1 + varintSize(subscriptionId) : 0);
    propBytes = blockSize(<u32>kept + extra);
  }
  if (topicLen == 0 && !(level >= 5 && topicAlias > 0)) return fail(E_EMPTY_TOPIC, F_TOPIC);
  const remaining = headSize(topicLen, qos) + propBytes + <u64>payloadLen;
  if (remaining > MAX_REMAINING) return fail(E_TOO_LARGE, 0);
  if (!inMemory(topic, topicLen) || (withPayload && !inMemory(payload, payloadLen))) return fail(E_OUT_OF_BOUNDS, 0);
  const total = begin(0x30 | (flags & 0x0f), remaining, withPayload ? 0 : payloadLen);
  putU16(topicLen);
  putBytes(topic, topicLen);
  if (qos > 0) putU16(packetId);
  if (level >= 5) {
    const extra: u32 = (topicAlias > 0 ? 3 : 0) + (subscriptionId > 0 ? 1 + varintSize(subscriptionId) : 0);
    putVarint(<u32>kept + extra);
    putRawKept(props, propsLen, <u32>kept);
    if (topicAlias > 0) {
      putU8(P_TOPIC_ALIAS);
      putU16(topicAlias);
    }
    if (subscriptionId > 0) {
      putU8(P_SUBSCRIPTION_IDENTIFIER);
      putVarint(subscriptionId);
    }
  }
  if (!withPayload) return total - <i32>payloadLen;
  putBytes(payload, payloadLen);
  return total;
}
