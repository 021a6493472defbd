// Placeholder: the encoder's exports (owned by the encoder work).
export function encodeVersion(): i32 { return 1; }
