// The encoder's exports (re-exported by ../codec.ts). Facade: src/wasm/encoder.ts; regions and table
// layout: ./writer.ts and docs/WASM_ABI.md ("Encoder"). Every encode* call writes one whole packet at
// the start of the out region and returns its length, or a negative E_* code (detail in the state
// block). No call allocates unless a region must grow.
import { encodeAck as ackFromTable, encodeAckFrom } from "./encode_ack";
import { encodeConnack } from "./encode_connack";
import { encodeConnect } from "./encode_connect";
import { encodeEmpty, encodeReasonPacket } from "./encode_control";
import { encodePublish, encodePublishFrom as publishFrom } from "./encode_publish";
import { encodeSuback, encodeSubscribe } from "./encode_subscribe";
import { encodeUnsuback, encodeUnsubscribe } from "./encode_unsubscribe";
import { E_LEVEL, E_TYPE, STATE, T_TYPE, fail, init, reserveScratch, reserveTable, tget } from "./writer";

/** ABI version of the encoder (bumped on any layout change). */
export function encodeVersion(): i32 { return 2; }

/** Address of the state block (u32 words: out, out cap, scratch, scratch cap, table, table cap, detail). */
export function encodeState(): usize {
  init();
  return STATE;
}

/** Grows the scratch region to `scratchBytes` and the table to `tableWords`, keeping their contents. */
export function encodeReserve(scratchBytes: u32, tableWords: u32): void {
  reserveScratch(scratchBytes);
  reserveTable(tableWords);
}

// @ts-ignore: decorator
@inline function badLevel(level: u32): bool { return level < 3 || level > 5; }

/** Encodes the packet described by the table at protocol `level` (3, 4, 5). */
export function encodePacket(level: u32): i32 {
  init();
  if (badLevel(level)) return fail(E_LEVEL, level);
  const type = tget(T_TYPE);
  switch (type) {
    case 1: return encodeConnect(level);
    case 2: return encodeConnack(level);
    case 3: return encodePublish(level, true);
    case 4: case 5: case 6: case 7: return ackFromTable(level);
    case 8: return encodeSubscribe(level);
    case 9: return encodeSuback(level);
    case 10: return encodeUnsubscribe(level);
    case 11: return encodeUnsuback(level);
    case 12: case 13: return encodeEmpty(type);
    case 14: case 15: return encodeReasonPacket(type, level);
  }
  return fail(E_TYPE, type);
}

/**
 * The PUBLISH the table describes (its type word is not read), without the payload: B's length
 * counts in the remaining length, its bytes are the caller's to append. Returns the bytes written.
 */
export function encodePublishHead(level: u32): i32 {
  init();
  if (badLevel(level)) return fail(E_LEVEL, level);
  return encodePublish(level, false);
}

/**
 * A whole PUBLISH from bytes already in WASM memory (absolute addresses). `flags` is the first
 * byte's low nibble (DUP 8, QoS << 1, RETAIN 1). v5: the property block is copied without Topic
 * Alias / Subscription Identifier; `topicAlias` and `subscriptionId` (0 = none) are added.
 */
export function encodePublishFrom(
  flags: u32, packetId: u32, topic: usize, topicLen: u32, props: usize, propsLen: u32,
  payload: usize, payloadLen: u32, level: u32, subscriptionId: u32, topicAlias: u32,
): i32 {
  init();
  if (badLevel(level)) return fail(E_LEVEL, level);
  return publishFrom(flags, packetId, topic, topicLen, props, propsLen, payload, payloadLen, level,
    subscriptionId, topicAlias, true);
}

/** As encodePublishFrom, but writes only the bytes before the payload; returns their length. */
export function encodePublishHeader(
  flags: u32, packetId: u32, topic: usize, topicLen: u32, props: usize, propsLen: u32,
  payloadLen: u32, level: u32, subscriptionId: u32, topicAlias: u32,
): i32 {
  init();
  if (badLevel(level)) return fail(E_LEVEL, level);
  return publishFrom(flags, packetId, topic, topicLen, props, propsLen, 0, payloadLen, level,
    subscriptionId, topicAlias, false);
}

/** PUBACK (4) / PUBREC (5) / PUBREL (6) / PUBCOMP (7) from numbers alone (no properties). */
export function encodeAck(type: u32, packetId: u32, reason: u32, level: u32): i32 {
  init();
  if (badLevel(level)) return fail(E_LEVEL, level);
  if (type < 4 || type > 7) return fail(E_TYPE, type);
  return encodeAckFrom(type, packetId, reason, level);
}
