// CONNECT (MQTT 3.1 §3.1, MQTT 3.1.1 §3.1, MQTT 5.0 §3.1).
//
//   byte 0     0001 0000
//   1..4       remaining length
//   +2, +n     protocol name: 00 06 "MQIsdp" (level 3) or 00 04 "MQTT" (levels 4 and 5)
//   +1         protocol level: 3, 4 or 5
//   +1         connect flags: U P R QQ W C 0
//                U user name, P password, R will retain, QQ will QoS, W will, C clean session/start
//   +2         keep alive (seconds)
//   v5:        property length, properties
//   payload:   client identifier (u16 length, UTF-8)
//              if W: v5 will properties; will topic (u16 + UTF-8); will payload (u16 + bytes)
//              if U: user name (u16 + UTF-8);  if P: password (u16 + bytes)
//
// Table: T_FLAGS (CF_* below), T_QOS = will QoS, T_KEEP_ALIVE, A = client id, B = will topic,
// C = will payload, D = user name, E = password, T_PROPS, T_WILL_PROPS.
import { ALLOW_CONNECT, ALLOW_WILL, blockSize, propsSize, putProps } from "./encode_properties";
import {
  E_EMPTY_TOPIC, E_KEEP_ALIVE, E_PASSWORD_WITHOUT_USERNAME, E_QOS, E_STRING_LENGTH, F_CLIENT_ID, F_PASSWORD,
  F_USERNAME, F_WILL_PAYLOAD, F_WILL_TOPIC, MAX_U16, T_A, T_B, T_C, T_D, T_E, T_FLAGS, T_KEEP_ALIVE, T_PROPS,
  T_QOS, T_WILL_PROPS, begin, fail, putField, putU16, putU8, tget,
} from "./writer";

export const CF_CLEAN: u32 = 1;
export const CF_WILL: u32 = 2;
export const CF_WILL_RETAIN: u32 = 4;
export const CF_USERNAME: u32 = 8;
export const CF_PASSWORD: u32 = 16;

/** Sizes of the two property blocks, kept between sizing and writing. */
let propsLen: u32 = 0;
let willPropsLen: u32 = 0;

/** Size of a length-prefixed table field, or an error naming it. */
function fieldSize(t: i32, field: u32): i64 {
  const len = tget(t + 1);
  return len > MAX_U16 ? fail(E_STRING_LENGTH, field) : 2 + <i64>len;
}

/** The payload's size (client id, will, user name, password), or an error. */
function payloadSize(flags: u32, level: u32): i64 {
  let size = fieldSize(T_A, F_CLIENT_ID);
  if (size < 0) return size;
  if ((flags & CF_WILL) != 0) {
    if (tget(T_QOS) > 2) return fail(E_QOS, tget(T_QOS)); // [MQTT-3.1.2-14]
    if (tget(T_B + 1) == 0) return fail(E_EMPTY_TOPIC, F_WILL_TOPIC); // [MQTT-4.7.3-1]
    if (level >= 5) {
      const wp = propsSize(tget(T_WILL_PROPS), tget(T_WILL_PROPS + 1), ALLOW_WILL);
      if (wp < 0) return wp;
      willPropsLen = <u32>wp;
      size += blockSize(willPropsLen);
    }
    const topic = fieldSize(T_B, F_WILL_TOPIC);
    const payload = fieldSize(T_C, F_WILL_PAYLOAD);
    if (topic < 0 || payload < 0) return topic < 0 ? topic : payload;
    size += topic + payload;
  }
  // 3.1 / 3.1.1: no password without a user name [MQTT-3.1.2-22]; 5.0 allows it (§3.1.2.9).
  if (level < 5 && (flags & (CF_USERNAME | CF_PASSWORD)) == CF_PASSWORD) return fail(E_PASSWORD_WITHOUT_USERNAME, 0);
  if ((flags & CF_USERNAME) != 0) {
    const user = fieldSize(T_D, F_USERNAME);
    if (user < 0) return user;
    size += user;
  }
  if ((flags & CF_PASSWORD) != 0) {
    const pass = fieldSize(T_E, F_PASSWORD);
    if (pass < 0) return pass;
    size += pass;
  }
  return size;
}

/** The connect flags byte (bit 0 is reserved, 0 [MQTT-3.1.2-3]). */
function flagsByte(flags: u32): u32 {
  let b: u32 = (flags & CF_CLEAN) << 1;
  if ((flags & CF_WILL) != 0) b |= 0x04 | (tget(T_QOS) << 3) | ((flags & CF_WILL_RETAIN) << 3);
  if ((flags & CF_PASSWORD) != 0) b |= 0x40;
  if ((flags & CF_USERNAME) != 0) b |= 0x80;
  return b;
}

/** Writes the protocol name for `level`. */
function putProtocolName(level: u32): void {
  if (level == 3) {
    putU16(6);
    putU8(0x4d); putU8(0x51); putU8(0x49); putU8(0x73); putU8(0x64); putU8(0x70); // "MQIsdp"
  } else {
    putU16(4);
    putU8(0x4d); putU8(0x51); putU8(0x54); putU8(0x54); // "MQTT"
  }
}

/** A CONNECT from the table; returns its length or an error. */
export function encodeConnect(level: u32): i32 {
  const flags = tget(T_FLAGS);
  const keepAlive = tget(T_KEEP_ALIVE);
  if (keepAlive > MAX_U16) return fail(E_KEEP_ALIVE, keepAlive);
  let header: u64 = (level == 3 ? 8 : 6) + 4;
  if (level >= 5) {
    const p = propsSize(tget(T_PROPS), tget(T_PROPS + 1), ALLOW_CONNECT);
    if (p < 0) return <i32>p;
    propsLen = <u32>p;
    header += blockSize(propsLen);
  }
  const payload = payloadSize(flags, level);
  if (payload < 0) return <i32>payload;
  const total = begin(0x10, header + <u64>payload);
  if (total < 0) return total;
  putProtocolName(level);
  putU8(level);
  putU8(flagsByte(flags));
  putU16(keepAlive);
  if (level >= 5) putProps(tget(T_PROPS), tget(T_PROPS + 1), propsLen);
  putField(T_A);
  if ((flags & CF_WILL) != 0) {
    if (level >= 5) putProps(tget(T_WILL_PROPS), tget(T_WILL_PROPS + 1), willPropsLen);
    putField(T_B);
    putField(T_C);
  }
  if ((flags & CF_USERNAME) != 0) putField(T_D);
  if ((flags & CF_PASSWORD) != 0) putField(T_E);
  return total;
}
