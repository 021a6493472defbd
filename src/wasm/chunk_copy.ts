/**
 * Copies a span of a pushed chunk into the decoder's input region (the in-place mode of decoder.ts,
 * which copies only the bytes WASM reads: packet heads and small packets). A long span is one `set`
 * of a `subarray`; a short one (typically a PUBLISH head) is copied in 32-bit words, read from the
 * chunk's bytes and written through the region's DataView, with no allocation: a `subarray` view
 * costs about as much as copying 128 bytes word by word (measured on Bun).
 */

/** Spans up to this many bytes are copied word by word. */
const SHORT_SPAN = 128;

/** Copies chunk bytes [from, to) to offset `at` of `input` (whose DataView is `region`). */
export function copySpan(
  input: Uint8Array, region: DataView, chunk: Uint8Array, from: number, to: number, at: number,
): void {
  if (to - from > SHORT_SPAN) {
    input.set(chunk.subarray(from, to), at);
    return;
  }
  const shift = at - from;
  let k = from;
  for (; k + 4 <= to; k += 4) {
    region.setInt32(k + shift, chunk[k] | (chunk[k + 1] << 8) | (chunk[k + 2] << 16) | (chunk[k + 3] << 24), true);
  }
  for (; k < to; k++) input[k + shift] = chunk[k];
}
