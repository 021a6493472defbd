// The decoder's header, frame-record, table-entry and CONNECT-slot word indices: ONE definition read
// by both sides of the WASM boundary (AssemblyScript's frame_table.ts and the TypeScript facade
// src/wasm/frame_batch.ts, decoder.ts, packet_reader.ts). Plain `export const NAME = n;` lines are
// valid AssemblyScript (i32) and TypeScript (number) alike. Documented in docs/WASM_ABI.md "Decoder".

// Header (u32 words at decodeHeader()).
export const H_INPUT = 0;
export const H_INPUT_CAP = 1;
export const H_FRAMES = 2;
export const H_FRAME_CAP = 3;
export const H_PROPS = 4;
export const H_PROP_CAP = 5;
export const H_FIELDS = 6;
export const H_FIELD_CAP = 7;
export const H_CONSUMED = 8;
export const H_NEEDED = 9;
export const H_LEVEL = 10;
export const H_STATUS = 11;
/** Status NEED_COPY: copy the pushed chunk's bytes up to this input offset, then call again. */
export const H_COPY = 12;

// Status bits (header word H_STATUS): which table was full.
export const FULL_FRAMES = 1;
export const FULL_PROPS = 2;
export const FULL_FIELDS = 4;
/** In-place mode: the next packet needs bytes not yet copied (header word H_COPY says how far). */
export const NEED_COPY = 8;

/**
 * In-place mode: bytes copied from a packet's start when nothing says more is needed (a fixed
 * header and a typical PUBLISH head: topic, packet id, properties). A longer head asks again.
 */
export const HEAD_WINDOW = 64;

// Frame record: FRAME_WORDS i32 per frame.
export const FRAME_WORDS = 22;
export const F_TYPE = 0;
export const F_FLAGS = 1;
export const F_START = 2;
export const F_LENGTH = 3;
export const F_REASON = 4;
export const F_PACKET_ID = 5;
export const F_TOPIC_OFF = 6;
export const F_TOPIC_LEN = 7;
export const F_PAYLOAD_OFF = 8;
export const F_PAYLOAD_LEN = 9;
export const F_PROPS_OFF = 10;
export const F_PROPS_LEN = 11;
export const F_PROP_FIRST = 12;
export const F_PROP_COUNT = 13;
export const F_FIELD_FIRST = 14;
export const F_FIELD_COUNT = 15;
export const F_TOPIC_ALIAS = 16;
/** Reason/return code carried by the packet, -1 when absent on the wire (v5 short forms). */
export const F_CODE = 17;
/** CONNECT: connect flags; CONNACK: acknowledge flags. */
export const F_AUX = 18;
/** CONNECT: keep alive. */
export const F_AUX2 = 19;
/** Protocol level the frame was decoded with (a CONNECT: its own level). */
export const F_LEVEL = 20;
/** 1: the PUBLISH payload was not copied; F_PAYLOAD_OFF indexes the pushed chunk (in-place mode). */
export const F_IN_PLACE = 21;

// Property entry [id, a, b, c, d] and field entry [a, b, c, d].
export const PROP_WORDS = 5;
export const FIELD_WORDS = 4;

// CONNECT field slots (from the frame's first field; [off, len], len -1 when absent).
export const CF_PROTOCOL_NAME = 0;
export const CF_CLIENT_ID = 1;
export const CF_WILL_TOPIC = 2;
export const CF_WILL_PAYLOAD = 3;
export const CF_USERNAME = 4;
export const CF_PASSWORD = 5;
/** Will properties: [off, len, property first, property count]. */
export const CF_WILL_PROPERTIES = 6;
export const CF_SLOTS = 7;
