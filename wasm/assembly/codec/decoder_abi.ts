// Placeholder: the decoder's exports (owned by the decoder work).
export function decodeVersion(): i32 { return 1; }
