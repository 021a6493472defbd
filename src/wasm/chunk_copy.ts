/**
 * What the in-place mode of decoder.ts copies from a pushed chunk into the decoder's input region:
 * the one place that decides it (WASM checks every read against it and asks for what is missing,
 * wasm/assembly/codec/copy_state.ts). Before a decode call, `ChunkCopy.walk` follows the chunk's
 * fixed headers (type byte and remaining length only: WASM validates everything) and copies each
 * in-place candidate's head window and every other packet whole, so one call frames the chunk.
 *
 * A long span is one `set` of a `subarray`; a short one (typically a PUBLISH head) is copied in
 * 32-bit words, from an Int32Array over the chunk's buffer (shifted when the chunk and the region
 * are not aligned alike) into one over the codec memory, with no allocation per span: a `subarray`
 * view costs about as much as copying 128 bytes byte by byte (measured on Bun), words ~3× less.
 */
import { H_INPUT, H_SPANS, H_WINDOW, SPAN_CAP } from "../../wasm/assembly/codec/frame_layout.ts";

/** Spans up to this many bytes are copied word by word. */
const SHORT_SPAN = 128;

/** Bytes of a fixed header WASM reads at most (type byte and a 4-byte remaining length). */
const FIXED_HEADER = 5;

/** Length of the packet at chunk offset `q` from its fixed header; 0 if incomplete or malformed. */
function packetLength(chunk: Uint8Array, q: number): number {
  let len = 0;
  for (let i = 1, scale = 1; i <= 4; i++, scale *= 128) {
    if (q + i >= chunk.length) return 0;
    const b = chunk[q + i];
    len += (b & 127) * scale;
    if (b < 128) return len + i + 1;
  }
  return 0;
}

/** The decoder memory copies go to (decoder.ts's DecoderMemory): views of the codec memory. */
export interface CopyTarget {
  /** The input region. */
  bytes: Uint8Array;
  /** The whole memory. */
  i32: Int32Array;
  /** Decoder header word `k`. */
  h(k: number): number;
}

/** Copies pushed chunks into the input region; one per codec (decode calls never overlap). */
export class ChunkCopy {
  /** Spans the last walk wrote to the table (header word H_SPANS). */
  spans = 0;
  /** Input offset where the last walk stopped: nothing from the packet there on was copied ahead. */
  stop = 0;
  /** Words of the chunk's buffer (made once per buffer), the chunk's byte offset in it. */
  private words = new Int32Array(0);
  private buffer: ArrayBufferLike | null = null;
  private offset = 0;
  /** Chunk offset from which `words` does not cover 4 more bytes (the buffer's end). */
  private wordsEnd = 0;

  /**
   * Starts a push of `chunk`, before any copy: reads where it lies once (`buffer` and `byteOffset`
   * cost ~4 ns each on Bun); no walk yet, WASM's first request from input offset `from` on starts one.
   */
  begin(chunk: Uint8Array, from: number): void {
    const buf = chunk.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.words = new Int32Array(buf, 0, buf.byteLength >> 2);
    }
    this.offset = chunk.byteOffset;
    this.wordsEnd = (this.words.length << 2) - this.offset - 4;
    this.spans = 0;
    this.stop = from;
  }

  /**
   * Walks the chunk (at input offset `kept`) from the packet at input offset `from`: copies each
   * PUBLISH longer than `min` and the head window (header word H_WINDOW) up to its head, every other
   * packet whole, and the next fixed header where the walk stops (an incomplete or malformed header,
   * the chunk's end, a full table). Bytes below input offset `copied` are already there. After `begin`.
   */
  walk(t: CopyTarget, chunk: Uint8Array, kept: number, from: number, copied: number, min: number): void {
    const n = chunk.length, window = t.h(H_WINDOW), low = copied - kept;
    let q = from - kept, run = q, spans = 0;
    for (let total = 0; q < n && spans < SPAN_CAP - 1; q += total) {
      total = packetLength(chunk, q);
      if (total === 0) break;
      if (total <= min || total <= window || chunk[q] >> 4 !== 3) continue; // copied whole
      this.listed(t, chunk, kept, spans++, run, Math.min(q + window, n), low);
      run = q + total;
    }
    const to = Math.min(q + FIXED_HEADER, n);
    if (run < to) this.listed(t, chunk, kept, spans++, run, to, low);
    this.spans = spans;
    this.stop = kept + q;
  }

  /** Copies chunk bytes [from, to) (those from `low` on) and lists them as span `k`. */
  private listed(t: CopyTarget, chunk: Uint8Array, kept: number, k: number, from: number, to: number, low: number): void {
    if (to > low) this.span(t, chunk, kept, Math.max(from, low), to);
    const at = (t.h(H_SPANS) >>> 2) + 2 * k;
    t.i32[at] = from + kept;
    t.i32[at + 1] = to + kept;
  }

  /** Copies chunk bytes [from, to) to input offsets [kept + from, kept + to) (after `begin(chunk)`). */
  span(t: CopyTarget, chunk: Uint8Array, kept: number, from: number, to: number): void {
    const input = t.bytes;
    if (to - from > SHORT_SPAN) return input.set(chunk.subarray(from, to), kept + from);
    // The region words holding [from, to): their other bytes get the chunk's bytes for the same
    // offsets (what a later copy would write there), so only words reaching out of the chunk or past
    // `words` take the byte loop.
    const at = t.h(H_INPUT) + kept; // address of chunk byte 0's place in the region
    const k = from - ((at + from) & 3), e = to + (-(at + to) & 3);
    if (k >= 0 && e <= chunk.length && e <= this.wordsEnd) {
      return copyWords(t.i32, (at + k) >> 2, this.words, this.offset + k, (e - k) >> 2);
    }
    for (let b = from; b < to; b++) input[kept + b] = chunk[b];
  }
}

/** Copies `n` words to word `d` of `dst` from byte address `src` of `words` (any alignment; reads one word ahead). */
function copyWords(dst: Int32Array, d: number, words: Int32Array, src: number, n: number): void {
  const sh = (src & 3) << 3, end = d + n;
  let s = src >> 2;
  if (sh === 0) {
    for (; d < end; d++, s++) dst[d] = words[s];
    return;
  }
  for (let lo = words[s]; d < end; d++) {
    const hi = words[++s];
    dst[d] = (lo >>> sh) | (hi << (32 - sh));
    lo = hi;
  }
}
