// MQTT 5 property block: a Variable Byte Integer length, then properties (id varint + value).
//
//   +-------------------+----+-------+----+-------+ ...
//   | property length n | id | value | id | value |
//   +-------------------+----+-------+----+-------+ ...
//   value: byte | u16 | u32 | varint | u16 len + UTF-8 | u16 len + bytes | two UTF-8 strings
//
// Each property becomes one entry of the property table (frame_table.ts): [id, a, b, c, d] with
// a = number, or a/b = offset/length of a string or binary, or a/b + c/d for a user property.
// Rules (types, contexts, repeats, values) are in validate_properties.ts.

import { fail, err, lenPrefixed, fieldLen, fieldPtr, lim, MALFORMED, narrow, pos, PROTOCOL_ERROR,
  readU16, readU32, readU8, readVarint, widen } from "./reader";
import { F_PROP_COUNT, F_PROP_FIRST, F_PROPS_LEN, F_PROPS_OFF, fset, propPush, propUsed, rel, tableFull } from "./frame_table";
import { checkPropertyAllowed, checkPropertyValue, repeatable } from "./validate_properties";
import { K_BINARY, K_BYTE, K_PAIR, K_STRING, K_U16, K_U32, K_VARINT, propertyKind } from "./property_kinds";
import { utf8Valid } from "./utf8";
import { hasWildcard } from "./validate_publish";

/** The block read by the last `readProperties`: bytes after the length, and its table entries. */
export let blockPtr: usize = 0;
export let blockLen: i32 = 0;
export let blockFirst: u32 = 0;
export let blockCount: u32 = 0;
/** Topic Alias value found in the block, 0 when absent. */
export let blockTopicAlias: i32 = 0;

/** Reads a property block for context `ctx`; false on error (`err`) or a full table. */
export function readProperties(ctx: u32): bool {
  const n = readVarint();
  if (err != 0) return false;
  if (<usize>n > lim - pos) { fail(MALFORMED); return false; }
  blockPtr = pos;
  blockLen = <i32>n;
  blockFirst = propUsed;
  blockTopicAlias = 0;
  const outer = narrow(pos + <usize>n);
  let seen: u64 = 0;
  while (pos < lim && err == 0) {
    // Identifiers are varints, but all defined ones fit one byte: a continuation bit means unknown.
    const id = readU8();
    if (err != 0) break;
    if (id >= 64 || checkPropertyAllowed(id, ctx) != 0) { fail(MALFORMED); break; }
    if ((seen & (<u64>1 << id)) != 0 && !repeatable(id, ctx)) { fail(PROTOCOL_ERROR); break; } // §2.2.2.2 more than once
    seen |= <u64>1 << id;
    if (!readValue(id)) break;
  }
  widen(outer);
  blockCount = propUsed - blockFirst;
  return err == 0 && tableFull == 0;
}

/** Reads the value of property `id` and appends its table entry. */
function readValue(id: u32): bool {
  const kind = propertyKind(id);
  if (kind == K_STRING || kind == K_BINARY) return readBytes(id, kind == K_STRING);
  if (kind == K_PAIR) return readPair(id);
  let v: u32 = 0;
  if (kind == K_BYTE) v = readU8();
  else if (kind == K_U16) v = readU16();
  else if (kind == K_U32) v = readU32();
  else if (kind == K_VARINT) v = readVarint();
  if (err != 0) return false;
  const bad = checkPropertyValue(id, v);
  if (bad != 0) { fail(bad); return false; }
  if (id == 0x23) blockTopicAlias = <i32>v;
  return propPush(<i32>id, <i32>v, 0, 0, 0);
}

function readBytes(id: u32, isString: bool): bool {
  if (!lenPrefixed()) return false;
  if (isString && !utf8Valid(fieldPtr, fieldLen)) { fail(MALFORMED); return false; } // [MQTT-1.5.4-1]
  if (id == 0x08 && hasWildcard(fieldPtr, fieldLen)) { fail(PROTOCOL_ERROR); return false; } // [MQTT-3.3.2-14]
  return propPush(<i32>id, rel(fieldPtr), fieldLen, 0, 0);
}

function readPair(id: u32): bool {
  if (!lenPrefixed()) return false;
  const kp = fieldPtr;
  const kl = fieldLen;
  if (!utf8Valid(kp, kl)) { fail(MALFORMED); return false; } // [MQTT-1.5.4-1]
  if (!lenPrefixed()) return false;
  if (!utf8Valid(fieldPtr, fieldLen)) { fail(MALFORMED); return false; } // [MQTT-1.5.4-1]
  return propPush(<i32>id, rel(kp), kl, rel(fieldPtr), fieldLen);
}

/** Records the last block read as the frame's properties. */
export function setFrameProperties(): void {
  fset(F_PROPS_OFF, rel(blockPtr));
  fset(F_PROPS_LEN, blockLen);
  fset(F_PROP_FIRST, <i32>blockFirst);
  fset(F_PROP_COUNT, <i32>blockCount);
}
