// Stream framing: splits the input region into packets and decodes each into the frame table.
//
//   +--------+----------------------+----------------------------+
//   | type|f | remaining length 1-4 | body (remaining length)    |   [MQTT-2.2], §1.5.5
//   +--------+----------------------+----------------------------+
//
// Stops at the first incomplete packet (`needed` = bytes still missing, at least 1 when the fixed
// header itself is incomplete), at the first invalid one (its frame carries the reason and is the
// last), or when a table is full (status != 0: the facade grows the tables and calls again from
// `consumed`, appending frames). A packet larger than maxPacketSize is reported as soon as its
// fixed header is complete, before its body arrives. In-place mode (copy_state.ts): framing reads
// only copied bytes and stops with status NEED_COPY when it needs more.

import { beginPacket, err, MALFORMED } from "./reader";
import { beginFrame, F_FLAGS, F_LENGTH, F_LEVEL, F_REASON, F_START, F_TYPE, fieldUsed, frameCap, fset,
  FULL_FRAMES, H_CONSUMED, H_LEVEL, H_NEEDED, H_STATUS, hset, inputPtr, propUsed, rollback,
  startCall, tableFull } from "./frame_table";
import { connectLevel, decodeConnack, decodeConnect } from "./decode_connect";
import { decodeAck, decodePublish } from "./decode_publish";
import { decodeSuback, decodeSubscribe } from "./decode_subscribe";
import { decodeControl } from "./decode_control";
import { validateFixedHeader } from "./validate_header";
import { beginCopies, copiedFor, inPlaceCandidate, requestCopy, settleInPlace } from "./copy_state";

const PACKET_TOO_LARGE: i32 = 0x95;

/**
 * Decodes [start, end) of the input region, of which bytes up to `copied` hold data (see
 * copy_state.ts; `chunkStart`, `minPayload`: the in-place mode). Frames go from index `first`.
 * Returns the frame count.
 */
export function decodeStream(start: u32, end: u32, level: u32, maxSize: u32, first: u32,
  copied: u32, chunkStart: u32, minPayload: u32): u32 {
  startCall(first == 0);
  beginCopies(start, end, copied, chunkStart, minPayload);
  let p = inputPtr + <usize>start;
  const e = inputPtr + <usize>end;
  let n = first;
  let needed: u32 = 0;
  let status: u32 = 0;
  while (p < e) {
    if (n >= frameCap) { status = FULL_FRAMES; break; }
    if (!copiedFor(p, 5)) { status = requestCopy(p, 5); break; } // a whole fixed header
    const avail = <u32>(e - p);
    if (avail < 2) { needed = 2 - avail; break; }
    const hdr = headerLength(p, e, level);
    if (hdr == 0) { needed = 1; break; }
    const b0 = <u32>load<u8>(p);
    beginFrame(n);
    fset(F_TYPE, <i32>(b0 >> 4));
    fset(F_FLAGS, <i32>(b0 & 15));
    fset(F_START, <i32>(p - inputPtr));
    fset(F_LEVEL, <i32>level);
    if (hdr < 0) { fset(F_LENGTH, <i32>avail); fset(F_REASON, MALFORMED); n++; p = e; break; }
    const total = <u32>hdr + remaining;
    fset(F_LENGTH, <i32>total);
    if (total > maxSize) { fset(F_REASON, PACKET_TOO_LARGE); n++; p = e; break; } // §3.1.2.11.4
    if (avail < total) { needed = total - avail; break; }
    const inPlace = inPlaceCandidate(b0, p, total);
    if (!inPlace && !copiedFor(p, total)) { status = requestCopy(p, total); break; }
    const props = propUsed;
    const fields = fieldUsed;
    const reason = decodeBody(b0, p + <usize>hdr, p + <usize>total, level);
    if (tableFull != 0) { rollback(props, fields); status = tableFull; break; }
    if (inPlace) status = settleInPlace(reason, p, total);
    if (status != 0) { rollback(props, fields); break; }
    fset(F_REASON, reason);
    n++;
    p += <usize>total;
    if (reason != 0) { p = e; break; }
    if ((b0 >> 4) == 1) { // later packets use the CONNECT's level
      level = connectLevel;
      fset(F_LEVEL, <i32>level);
    }
  }
  hset(H_CONSUMED, <u32>(p - inputPtr));
  hset(H_NEEDED, needed);
  hset(H_LEVEL, level);
  hset(H_STATUS, status);
  return n;
}

/** Remaining length read by the last `headerLength`. */
let remaining: u32 = 0;

/** Fixed-header length (2..5), 0 when incomplete, -1 when malformed. Sets `remaining`. */
function headerLength(p: usize, e: usize, level: u32): i32 {
  let v: u32 = 0;
  for (let i: i32 = 1; i <= 4; i++) {
    if (p + <usize>i >= e) return 0;
    const b = <u32>load<u8>(p + <usize>i);
    v |= (b & 0x7f) << (7 * (i - 1));
    if ((b & 0x80) == 0) {
      if (level == 5 && i > 1 && b == 0) return -1; // [MQTT-1.5.5-1] minimum number of bytes
      remaining = v;
      return i + 1;
    }
  }
  return -1; // a 5th length byte: more than 268,435,455 (§1.5.5)
}

/** Validates the fixed header and decodes the body [body, end) by packet type. */
function decodeBody(b0: u32, body: usize, end: usize, level: u32): i32 {
  const type = b0 >> 4;
  const flags = b0 & 15;
  const bad = validateFixedHeader(type, flags, level);
  if (bad != 0) return bad;
  beginPacket(body, end);
  let r: i32 = 0;
  if (type == 3) r = decodePublish(flags, level);
  else if (type >= 4 && type <= 7) r = decodeAck(type, level);
  else if (type == 1) r = decodeConnect();
  else if (type == 2) r = decodeConnack(level);
  else if (type == 8 || type == 10) r = decodeSubscribe(type, level);
  else if (type == 9 || type == 11) r = decodeSuback(type, level);
  else r = decodeControl(type, level);
  return r != 0 ? r : err;
}
