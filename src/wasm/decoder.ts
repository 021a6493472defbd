/**
 * Stream decoder facade over the codec's WASM decoder (wasm/assembly/codec/decoder_abi.ts).
 * Per push: the kept partial packet plus the chunk are copied into the WASM input region and ONE
 * `decode` call fills the frame table (looping only when a table is full). The bytes of an
 * incomplete last packet stay in JS; while a large packet is still short of `needed` bytes, chunks
 * are appended in JS without calling WASM, so its bytes are decoded once (no O(n²)).
 * In-place mode (`inPlacePayloadBytes`): the chunk is copied only where WASM asks for it (heads and
 * small packets, wasm/assembly/codec/copy_state.ts), one more `decode` call per large PUBLISH.
 */
import type { ProtocolLevel } from "../protocol/packets.ts";
import type { CodecWasm } from "./codec_instance.ts";
import {
  H_CONSUMED, H_COPY, H_FIELDS, H_FRAMES, H_INPUT, H_INPUT_CAP, H_LEVEL, H_NEEDED, H_PROPS, H_STATUS,
  HEAD_WINDOW, NEED_COPY,
} from "../../wasm/assembly/codec/frame_layout.ts";
import { copySpan } from "./chunk_copy.ts";
import { type BatchTables, DecodedBatch } from "./frame_batch.ts";
import type { DecoderOptions, StreamDecoder } from "./types.ts";

/** Largest MQTT packet: 1 type byte + 4 length bytes + 268,435,455 (MQTT 5.0 §1.5.5). */
export const MAX_PACKET_SIZE = 268_435_460;

/**
 * Views on the codec memory shared by all decoders of one codec. Each view is made once and
 * re-made only when `memory.buffer` changed (memory grew: a decode, or an encode on the same codec).
 */
class DecoderMemory implements BatchTables {
  i32 = new Int32Array(0);
  u8 = new Uint8Array(0);
  bytes = new Uint8Array(0);
  /** DataView of the input region (`bytes`), for word copies. */
  region = new DataView(this.bytes.buffer);
  frames = 0;
  props = 0;
  fields = 0;
  /** The one FrameBatch of this codec's decoders: they share the tables it reads. */
  readonly batch = new DecodedBatch();
  private buffer: ArrayBufferLike | null = null;
  private readonly header: number;
  private inputPtr = 0;
  private inputCap = 0;

  // deno-lint-ignore no-explicit-any
  constructor(private readonly wasm: CodecWasm, readonly exports: any) {
    this.header = exports.decodeHeader() >>> 2;
    this.refresh();
  }

  /** Header word `k`. */
  h(k: number): number {
    return this.i32[this.header + k] >>> 0;
  }

  /** Re-creates the views if memory grew; region addresses are kept (they move only in a decode call). */
  remap(): void {
    const buf = this.wasm.memory.buffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    this.i32 = new Int32Array(buf);
    this.u8 = new Uint8Array(buf);
    this.setInput();
  }

  private setInput(): void {
    this.bytes = this.u8.subarray(this.inputPtr, this.inputPtr + this.inputCap);
    this.region = new DataView(this.u8.buffer, this.inputPtr, this.inputCap);
  }

  /** Re-creates views if memory grew, and re-reads table addresses (they move when grown). */
  refresh(): void {
    this.remap();
    const input = this.h(H_INPUT), cap = this.h(H_INPUT_CAP);
    if (input !== this.inputPtr || cap !== this.inputCap) {
      this.inputPtr = input;
      this.inputCap = cap;
      this.setInput();
    }
    this.frames = this.h(H_FRAMES) >>> 2;
    this.props = this.h(H_PROPS) >>> 2;
    this.fields = this.h(H_FIELDS) >>> 2;
  }

  /** Copies `chunk` bytes for input offsets [from, to) (the chunk starts at offset `kept`); returns `to`. */
  copyChunk(chunk: Uint8Array, kept: number, from: number, to: number): number {
    copySpan(this.bytes, this.region, chunk, from - kept, to - kept, from);
    return to;
  }

  /** The input region, at least `len` bytes long (views checked: an encode may have grown memory). */
  reserve(len: number): Uint8Array {
    this.remap();
    if (len > this.inputCap) {
      this.exports.decodeReserve(len);
      this.refresh();
    }
    return this.bytes;
  }
}

/**
 * Bytes of a partial packet kept between pushes; grows by doubling, copies only tails. Made on the
 * first packet that straddles two chunks: a connection whose packets each arrive whole (most idle
 * devices) never has one.
 */
class Pending {
  buf: Uint8Array;
  len = 0;
  /**
   * In-place mode: the kept bytes are `ref[refFrom..]`, still in the caller's previous chunk (which
   * that mode already asks the caller to leave alone), so they are copied once, into WASM memory.
   */
  ref: Uint8Array | null = null;
  refFrom = 0;

  constructor(first: number) {
    this.buf = new Uint8Array(Math.max(first, 64));
  }

  /** Keeps `chunk[from..]` by reference. */
  refer(chunk: Uint8Array, from: number): void {
    this.ref = chunk;
    this.refFrom = from;
    this.len = chunk.length - from;
  }

  /** Writes the kept bytes at the start of `input`. */
  copyTo(input: Uint8Array): void {
    if (this.ref !== null) input.set(this.ref.subarray(this.refFrom));
    else input.set(this.buf.subarray(0, this.len));
  }

  clear(): void {
    this.len = 0;
    this.ref = null;
  }

  append(src: Uint8Array, room = 0): void {
    const ref = this.ref;
    if (ref !== null) { // referenced bytes become owned ones first
      this.clear();
      this.append(ref.subarray(this.refFrom), room);
    }
    const need = this.len + src.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need + room, this.buf.length * 2, 64));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(src, this.len);
    this.len = need;
  }
}

/**
 * `pending` of a decoder that met an invalid frame: the stream cannot be resynchronised, later
 * pushes yield nothing (a sentinel rather than a flag keeps a decoder at four fields, 48 bytes).
 */
const BROKEN = new Pending(0);

/** What the decoders made with the same options share: the codec memory and the limits. */
class DecoderShared {
  readonly maxPacketSize: number;
  /** Smallest PUBLISH payload left in the chunk; 0 = copy mode. */
  readonly inPlaceMin: number;

  constructor(readonly mem: DecoderMemory, opts: DecoderOptions) {
    this.maxPacketSize = Math.min(opts.maxPacketSize ?? MAX_PACKET_SIZE, MAX_PACKET_SIZE);
    const min = opts.inPlacePayloadBytes ?? 0;
    if (!Number.isInteger(min) || min < 0 || min > MAX_PACKET_SIZE) {
      throw new RangeError(`inPlacePayloadBytes must be an integer from 0 to ${MAX_PACKET_SIZE}: ${min}`);
    }
    this.inPlaceMin = min;
  }
}

class WasmStreamDecoder implements StreamDecoder {
  protocolLevel: ProtocolLevel;
  needed = 0;
  /** Created by the first partial packet (see Pending); BROKEN after an invalid frame. */
  private pending: Pending | null = null;

  constructor(private readonly shared: DecoderShared, protocolLevel: ProtocolLevel) {
    this.protocolLevel = protocolLevel;
  }

  /** The batch is the factory's one: it is only valid until the next push on any of its decoders. */
  push(chunk: Uint8Array): DecodedBatch {
    const mem = this.shared.mem;
    if (this.pending === BROKEN) return mem.batch.fill(mem, 0);
    const pending = this.pending;
    const kept = pending === null ? 0 : pending.len;
    if (kept > 0 && chunk.length < this.needed) {
      pending!.append(chunk);
      this.needed -= chunk.length;
      return mem.batch.fill(mem, 0);
    }
    const total = kept + chunk.length;
    const input = mem.reserve(total);
    if (kept > 0) pending!.copyTo(input);
    let copied = total;
    if (this.shared.inPlaceMin === 0) input.set(chunk, kept);
    else { // the packet kept bytes belong to, and the next head
      copied = mem.copyChunk(chunk, kept, kept, Math.min(total, kept + this.needed + HEAD_WINDOW));
    }
    this.clearPending();
    return this.decode(chunk, kept, copied);
  }

  /** Keeps the incomplete tail of the input for the next push. */
  private keep(tail: Uint8Array, room: number): void {
    if (this.pending === null) this.pending = new Pending(tail.length + room);
    this.pending.append(tail, room);
  }

  /** Keeps the tail `chunk[from..]` by reference (in-place mode: the caller leaves chunks alone). */
  private refer(chunk: Uint8Array, from: number): void {
    if (this.pending === null) this.pending = new Pending(0);
    this.pending.refer(chunk, from);
  }

  /** Empties the kept bytes; a buffer grown for a large packet is dropped so idle connections stay small. */
  private clearPending(): void {
    const p = this.pending;
    if (p === null) return;
    p.clear();
    if (p.buf.length > 1 << 16) this.pending = null;
  }

  /**
   * Decodes the input region (the kept bytes, then `chunk` from offset `kept`; bytes up to `copied`
   * are copied): one decode call, more when a table fills up or WASM asks for more bytes.
   */
  private decode(chunk: Uint8Array, kept: number, copied: number): DecodedBatch {
    const mem = this.shared.mem, ex = mem.exports, max = this.shared.maxPacketSize, min = this.shared.inPlaceMin;
    const total = kept + chunk.length;
    let count = ex.decode(0, total, this.protocolLevel, max, 0, copied, kept, min) >>> 0;
    for (let status = mem.h(H_STATUS); status !== 0; status = mem.h(H_STATUS)) {
      if (status === NEED_COPY) {
        copied = mem.copyChunk(chunk, kept, Math.max(copied, mem.h(H_CONSUMED)), mem.h(H_COPY));
      } else {
        ex.decodeGrow(status, count);
        mem.refresh();
      }
      count = ex.decode(mem.h(H_CONSUMED), total, mem.h(H_LEVEL), max, count, copied, kept, min) >>> 0;
    }
    mem.refresh();
    this.protocolLevel = mem.h(H_LEVEL) as ProtocolLevel;
    this.needed = mem.h(H_NEEDED);
    const batch = mem.batch.fill(mem, count, chunk);
    if (count > 0 && batch.reason(count - 1) !== 0) {
      this.pending = BROKEN;
      this.needed = 0;
      return batch;
    }
    const consumed = mem.h(H_CONSUMED);
    if (consumed < total) this.keepTail(chunk, kept, copied, consumed);
    return batch;
  }

  /**
   * Keeps input bytes [consumed, end): in-place mode, when they all lie in the chunk, by reference;
   * else the copied ones from the input region and the rest, if any (in-place mode), from the chunk.
   */
  private keepTail(chunk: Uint8Array, kept: number, copied: number, consumed: number): void {
    if (consumed >= kept && this.shared.inPlaceMin > 0) return this.refer(chunk, consumed - kept);
    // Room for the rest is reserved up to 1 MiB only: `needed` comes from the peer, and a header
    // announcing 256 MB must not make us allocate it before it arrives.
    const room = Math.min(this.needed, 1 << 20);
    this.keep(this.shared.mem.bytes.subarray(consumed, copied), room);
    if (copied < kept + chunk.length) this.keep(chunk.subarray(copied - kept), room);
  }

  reset(): void {
    if (this.pending === BROKEN) this.pending = null;
    this.clearPending();
    this.needed = 0;
  }
}

/**
 * A factory of stream decoders sharing one codec instance (one WASM memory, one set of tables:
 * a batch is valid until the next push on any decoder of this factory).
 */
export function createDecoderFactory(wasm: CodecWasm): (opts?: DecoderOptions) => StreamDecoder {
  const mem = new DecoderMemory(wasm, wasm.exports);
  // A broker passes the same options object for every connection: its decoders share one DecoderShared.
  let lastOpts: DecoderOptions | null = null;
  let shared = new DecoderShared(mem, {});
  return (opts: DecoderOptions = {}) => {
    if (opts !== lastOpts) {
      shared = new DecoderShared(mem, opts); // throws on invalid options, before they are remembered
      lastOpts = opts;
    }
    return new WasmStreamDecoder(shared, opts.protocolLevel ?? 4);
  };
}
