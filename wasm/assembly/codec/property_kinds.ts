// MQTT 5 property identifier → data type (MQTT 5.0 §2.2.2.2, table 2-4): ONE table for the decoder
// (decode_properties.ts, which tells UTF-8 strings from binary data: only strings are UTF-8
// checked) and the encoder (encode_properties.ts, to which both are a two-byte length + bytes).

export const K_NONE: u32 = 0;
export const K_BYTE: u32 = 1;
export const K_U16: u32 = 2;
export const K_U32: u32 = 3;
export const K_VARINT: u32 = 4;
export const K_STRING: u32 = 5;
export const K_BINARY: u32 = 6;
export const K_PAIR: u32 = 7;

/** The data type of property `id`, K_NONE when the identifier is unknown. */
export function propertyKind(id: u32): u32 {
  switch (id) {
    case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2a: return K_BYTE;
    case 0x13: case 0x21: case 0x22: case 0x23: return K_U16;
    case 0x02: case 0x11: case 0x18: case 0x27: return K_U32;
    case 0x0b: return K_VARINT;
    case 0x03: case 0x08: case 0x12: case 0x15: case 0x1a: case 0x1c: case 0x1f: return K_STRING;
    case 0x09: case 0x16: return K_BINARY;
    case 0x26: return K_PAIR;
  }
  return K_NONE;
}

/** As propertyKind, with binary data reported as K_STRING: the two share their wire shape. */
export function wireKind(id: u32): u32 {
  const kind = propertyKind(id);
  return kind == K_BINARY ? K_STRING : kind;
}
