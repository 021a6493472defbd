// CONNECT and CONNACK (MQTT 3.1 / 3.1.1 §3.1-3.2, MQTT 5.0 §3.1-3.2).
//
// CONNECT                                   CONNACK
//   +--------------------------------+        +---------------------------+
//   | 0x10 | remaining length        |        | 0x20 | remaining length   |
//   | u16 len | "MQTT" / "MQIsdp"    |        | ack flags (bit 0 session) |
//   | level (3, 4, 5)                |        | return / reason code      |
//   | flags: user pass wr wq wq w c r|        | v5: properties            |
//   | keep alive u16                 |        +---------------------------+
//   | v5: properties                 |
//   | client id (string)             |   Fields of a CONNECT frame (field table, 7 slots, len -1
//   | will: v5 will properties       |   when absent): 0 protocol name, 1 client id, 2 will topic,
//   |       topic (string)           |   3 will payload, 4 username, 5 password,
//   |       payload (binary)         |   6 will properties (off, len, prop first, prop count).
//   | username (string)              |   Frame: code = level, aux = connect flags, aux2 = keep alive.
//   | password (binary)              |
//   +--------------------------------+

import { err, fail, fieldLen, fieldPtr, lenPrefixed, lim, MALFORMED, pos, readU16, readU8 } from "./reader";
import { CF_CLIENT_ID, CF_PASSWORD, CF_PROTOCOL_NAME, CF_SLOTS, CF_USERNAME, CF_WILL_PAYLOAD,
  CF_WILL_PROPERTIES, CF_WILL_TOPIC, F_AUX, F_AUX2, F_CODE, F_FIELD_COUNT, F_FIELD_FIRST, fieldPush, fieldSet,
  fieldSetExtra, fieldUsed, fset, rel } from "./frame_table";
import { blockCount, blockFirst, blockLen, blockPtr, readProperties, setFrameProperties } from "./decode_properties";
import { utf8Valid } from "./utf8";
import { validateConnectFlags, validateProtocol } from "./validate_connect";
import { validateTopicName } from "./validate_publish";
import { CTX_WILL } from "./validate_properties";

/** Level declared by the last CONNECT decoded (the stream switches to it). */
export let connectLevel: u32 = 0;

/** Decodes a CONNECT body; returns 0 or a reason code. */
export function decodeConnect(): i32 {
  if (!lenPrefixed()) return err;
  const namePtr = fieldPtr;
  const nameOff = rel(fieldPtr);
  const nameLen = fieldLen;
  const level = readU8();
  const flags = readU8();
  const keepAlive = readU16();
  if (err != 0) return err;
  fset(F_CODE, <i32>level);
  fset(F_AUX, <i32>flags);
  fset(F_AUX2, <i32>keepAlive);
  const bad = validateProtocol(namePtr, nameLen, level);
  if (bad != 0) return bad;
  connectLevel = level;
  const badFlags = validateConnectFlags(flags, level);
  if (badFlags != 0) return badFlags;
  if (level == 5) {
    if (!readProperties(1)) return err;
    setFrameProperties();
  }
  const first = fieldUsed;
  for (let i = 0; i < CF_SLOTS; i++) if (!fieldPush(0, -1, 0, 0)) return 0;
  fset(F_FIELD_FIRST, <i32>first);
  fset(F_FIELD_COUNT, CF_SLOTS);
  fieldSet(first + CF_PROTOCOL_NAME, nameOff, nameLen);
  return decodeConnectPayload(first, flags, level);
}

/** The payload: client id, will, username, password, each present as the flags say. */
function decodeConnectPayload(first: u32, flags: u32, level: u32): i32 {
  if (!readString(first + CF_CLIENT_ID)) return err;
  if ((flags & 4) != 0) {
    if (level == 5) {
      if (!readProperties(CTX_WILL)) return err;
      fieldSet(first + CF_WILL_PROPERTIES, rel(blockPtr), blockLen);
      fieldSetExtra(first + CF_WILL_PROPERTIES, <i32>blockFirst, <i32>blockCount);
    }
    if (!lenPrefixed()) return err;
    const bad = validateTopicName(fieldPtr, fieldLen, 0); // will topic [MQTT-3.1.3-10] (5.0: [MQTT-3.1.3-11])
    if (bad != 0) return bad;
    fieldSet(first + CF_WILL_TOPIC, rel(fieldPtr), fieldLen);
    if (!lenPrefixed()) return err;
    fieldSet(first + CF_WILL_PAYLOAD, rel(fieldPtr), fieldLen);
  }
  if ((flags & 0x80) != 0 && !readString(first + CF_USERNAME)) return err; // [MQTT-3.1.2-19] [MQTT-3.1.3-11]
  if ((flags & 0x40) != 0) { // [MQTT-3.1.2-21]
    if (!lenPrefixed()) return err;
    fieldSet(first + CF_PASSWORD, rel(fieldPtr), fieldLen);
  }
  if (pos != lim) fail(MALFORMED); // longer than its fields: remaining length mismatch
  return err;
}

/** Reads a UTF-8 string into field slot `slot`. */
function readString(slot: u32): bool {
  if (!lenPrefixed()) return false;
  // [MQTT-1.5.3-1] [MQTT-1.5.3-2] (5.0: [MQTT-1.5.4-1] [MQTT-1.5.4-2])
  if (!utf8Valid(fieldPtr, fieldLen)) { fail(MALFORMED); return false; }
  fieldSet(slot, rel(fieldPtr), fieldLen);
  return true;
}

/** Decodes a CONNACK body; returns 0 or a reason code. */
export function decodeConnack(level: u32): i32 {
  const flags = readU8();
  const code = readU8();
  if (err != 0) return err;
  fset(F_AUX, <i32>flags);
  fset(F_CODE, <i32>code);
  if (level >= 4 && (flags & 0xfe) != 0) return MALFORMED; // [MQTT-3.2.2-1] (5.0) §3.2.2.1 reserved bits
  if (level == 5) {
    if (!readProperties(2)) return err;
    setFrameProperties();
  }
  if (pos != lim) fail(MALFORMED);
  return err;
}
