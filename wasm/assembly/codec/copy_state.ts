// In-place mode (DecoderOptions.inPlacePayloadBytes): the facade copies the pushed chunk into the
// input region only where WASM must read it. The region keeps the chunk's coordinates (chunk byte k
// at offset chunkStart + k), but only [copy start, `copied`) holds the chunk's bytes; the rest is
// stale. Framing asks for bytes before it reads them (status NEED_COPY, header word H_COPY = how
// far); the facade copies from max(copied, consumed) to there and calls again from `consumed`.
//
// A PUBLISH that starts in the chunk with at least `minPayload` payload bytes is decoded from its
// head alone (fixed header, topic, packet id, properties: decodePublish never reads the payload) and
// marked F_IN_PLACE: its payload offset then indexes the chunk and framing skips to its end.
// Every other packet is copied whole before it is decoded, so its reason code and fields are the copy
// path's; an in-place candidate that is invalid is copied whole and decoded again for the same reason.
// Copy mode (the default) is the case copied == end: nothing is ever asked for.

import { F_IN_PLACE, F_PAYLOAD_LEN, F_PAYLOAD_OFF, fget, fset, H_COPY, HEAD_WINDOW, hset, inputPtr,
  NEED_COPY } from "./frame_table";

/** Bytes a window spans beyond the last in-place head (its successor's topic may be longer). */
const HEAD_SLACK: u32 = 8;

/** Absolute end of the copied bytes, of the input, and where the chunk starts. */
let copied: usize = 0;
let end: usize = 0;
let chunkAt: usize = 0;
/** Smallest payload left in place; 0 = copy mode. */
let minPayload: u32 = 0;
/**
 * End of the last in-place packet (or the start of the push): a copy window spans at least the bytes
 * copied since, so a run of small packets is copied in doubling windows, not one window per packet.
 */
let runStart: usize = 0;
/**
 * Bytes a copy window spans at least: HEAD_WINDOW, then the last in-place head plus HEAD_SLACK
 * (heads of one stream are alike: copying fewer payload bytes with them saves more than the rare
 * second request for a longer head costs).
 */
let window: u32 = HEAD_WINDOW;

/** Starts a decode call over input offsets [start, stop) of which [.., copiedEnd) are copied. */
export function beginCopies(start: u32, stop: u32, copiedEnd: u32, chunkStart: u32, min: u32): void {
  copied = inputPtr + <usize>copiedEnd;
  end = inputPtr + <usize>stop;
  chunkAt = inputPtr + <usize>chunkStart;
  minPayload = min;
  if (start == 0) { // a new push
    runStart = inputPtr;
    window = HEAD_WINDOW;
  }
}

/** True when the `len` bytes from `p` (or all up to the end) hold copied data. */
export function copiedFor(p: usize, len: u32): bool {
  const want = p + <usize>len;
  return (want < end ? want : end) <= copied;
}

/** Asks the facade to copy at least `len` bytes from `p` (clamped to the end); returns NEED_COPY. */
export function requestCopy(p: usize, len: u32): u32 {
  let span = <usize>len;
  if (span < <usize>window) span = <usize>window;
  if (span < p - runStart) span = p - runStart;
  const to = p + span < end ? p + span : end;
  hset(H_COPY, <u32>(to - inputPtr));
  return NEED_COPY;
}

/** True when a packet of `total` bytes at `p` with first byte `b0` may keep its payload in place. */
export function inPlaceCandidate(b0: u32, p: usize, total: u32): bool {
  return minPayload != 0 && (b0 >> 4) == 3 && total > minPayload && p >= chunkAt;
}

/**
 * After a candidate's body was decoded with `reason`: 0 when its frame stands (payload in place and
 * marked, or the packet is already copied whole), else NEED_COPY (the caller drops the frame).
 */
export function settleInPlace(reason: i32, p: usize, total: u32): u32 {
  if (reason != 0 || <u32>fget(F_PAYLOAD_LEN) < minPayload) {
    return copiedFor(p, total) ? 0 : requestCopy(p, total);
  }
  const head = <u32>(inputPtr + <usize>fget(F_PAYLOAD_OFF) - p);
  if (!copiedFor(p, head)) return requestCopy(p, head); // the head was read past the copied bytes
  window = (head + HEAD_SLACK + 3) & ~3;
  fset(F_IN_PLACE, 1);
  fset(F_PAYLOAD_OFF, fget(F_PAYLOAD_OFF) - <i32>(chunkAt - inputPtr));
  runStart = p + <usize>total;
  return 0;
}
