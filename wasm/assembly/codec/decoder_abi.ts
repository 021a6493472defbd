// The decoder's exports (prefixed `decode` / `frame`). Only numbers cross the boundary; layouts of
// the header, frame, property and field tables are in frame_table.ts and docs/WASM_ABI.md.

import { FRAME_WORDS, growTables, HEADER, reserveInput } from "./frame_table";
import { decodeStream } from "./decode_stream";

// Regions are allocated once at start-up; they only grow on demand (decodeReserve / decodeGrow).
reserveInput(65536);
growTables(7, 0);

/** Address of the decoder header (u32 words). */
export function decodeHeader(): usize { return HEADER; }

/** Words per frame record. */
export function frameWords(): u32 { return FRAME_WORDS; }

/** Makes the input region hold at least `len` bytes (may grow memory; the header has its address). */
export function decodeReserve(len: u32): void { reserveInput(len); }

/** Doubles the tables flagged in the header status (frames already decoded are kept). */
export function decodeGrow(mask: u32, framesUsed: u32): void { growTables(mask, framesUsed); }

/**
 * Decodes input bytes [start, end) into frames from index `first` on; returns the frame count.
 * Bytes from `copied` on are not copied yet: in-place mode, where a PUBLISH starting at or after
 * `chunkStart` with at least `minPayload` payload bytes (0 = never) keeps its payload in the chunk.
 * The header then holds consumed / needed / level / status / copy (see docs/WASM_ABI.md "Decoder").
 */
export function decode(start: u32, end: u32, level: u32, maxPacketSize: u32, first: u32, copied: u32,
  chunkStart: u32, minPayload: u32): u32 {
  return decodeStream(start, end, level, maxPacketSize, first, copied, chunkStart, minPayload);
}
