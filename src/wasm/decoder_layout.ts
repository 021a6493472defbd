/**
 * Word indexes of the decoder's header and tables in WASM memory (mirrors
 * wasm/assembly/codec/frame_table.ts; documented in docs/WASM_ABI.md "Decoder").
 */

/** Header words (u32). */
export const H = {
  INPUT: 0, INPUT_CAP: 1, FRAMES: 2, FRAME_CAP: 3, PROPS: 4, PROP_CAP: 5, FIELDS: 6, FIELD_CAP: 7,
  CONSUMED: 8, NEEDED: 9, LEVEL: 10, STATUS: 11,
} as const;

/** i32 words per frame record. */
export const FRAME_WORDS = 21;

/** Frame record words. */
export const F = {
  TYPE: 0, FLAGS: 1, START: 2, LENGTH: 3, REASON: 4, PACKET_ID: 5, TOPIC_OFF: 6, TOPIC_LEN: 7,
  PAYLOAD_OFF: 8, PAYLOAD_LEN: 9, PROPS_OFF: 10, PROPS_LEN: 11, PROP_FIRST: 12, PROP_COUNT: 13,
  FIELD_FIRST: 14, FIELD_COUNT: 15, TOPIC_ALIAS: 16, CODE: 17, AUX: 18, AUX2: 19, LEVEL: 20,
} as const;

/** i32 words per property entry: [id, a, b, c, d]. */
export const PROP_WORDS = 5;

/** i32 words per field entry: [a, b, c, d]. */
export const FIELD_WORDS = 4;

/** CONNECT field slots (field table, relative to the frame's first field). */
export const CONNECT_FIELD = {
  PROTOCOL_NAME: 0, CLIENT_ID: 1, WILL_TOPIC: 2, WILL_PAYLOAD: 3, USERNAME: 4, PASSWORD: 5, WILL_PROPERTIES: 6,
} as const;
