/**
 * The JS side of the encoder's input: writes a packet's strings and binaries into the WASM scratch
 * region (UTF-8 straight into WASM memory) and the numbers describing it into the WASM table.
 * Layout (wasm/assembly/codec/encode_layout.ts, shared with the WASM side; docs/WASM_ABI.md "Encoder"):
 *   table header words T_*, then 4-word entries (properties, subscriptions, filters, reason codes).
 */
import type { CodecWasm } from "./codec_instance.ts";
import { SLOT_BYTES, TopicSlot } from "./topic_slot.ts";
import { topicNameError, topicNameFault } from "./encode_errors.ts";

import {
  S_SCRATCH, S_SCRATCH_CAP, S_TABLE, S_TABLE_CAP, T_A, T_B, T_C, T_D, T_E, T_ENTRIES, T_FLAGS,
  T_KEEP_ALIVE, T_LIST, T_PACKET_ID, T_PROPS, T_QOS, T_REASON, T_TYPE, T_WILL_PROPS,
} from "../../wasm/assembly/codec/encode_layout.ts";

// State block words and table header words: one definition shared with the WASM side.
export * from "../../wasm/assembly/codec/encode_layout.ts";

/** Most UTF-8 bytes one UTF-16 code unit can become. */
const UTF8_PER_UNIT = 3;
/** Strings up to this length are copied with a char loop when ASCII (cheaper than encodeInto). */
const ASCII_LOOP_MAX = 64;
/** Byte arrays up to this length are copied in a loop rather than with TypedArray.set. */
const SMALL_BYTES = 32;
/** Runs of WASM memory up to this length are copied out word by word (no view made, no set call). */
export const SMALL_COPY = 64;
/** Whether typed arrays are little-endian like WASM memory (every common host): words copy as bytes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Limits checked before copying (the WASM encoder checks them exactly). */
const MAX_STRING = 65535;
const MAX_REMAINING = 268435455;

const utf8 = new TextEncoder();

/** A short description of a bad value for a message (String() can throw, e.g. on symbols). */
function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : typeof value;
}

/** A u32 from caller data, or a RangeError naming the field. */
export function u32(value: unknown, what: string): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 0xffffffff) || Math.floor(value) !== value) {
    throw new RangeError(`cannot encode: ${what} must be an integer 0..4294967295, got ${describe(value)}`);
  }
  return value;
}

/** Copies all of `src` into `dst` at `at`. */
export function copyBytes(src: Uint8Array, dst: Uint8Array, at: number): void {
  const n = src.length;
  if (n <= SMALL_BYTES) { // TypedArray.set has a fixed cost a short loop does not
    for (let i = 0; i < n; i++) dst[at + i] = src[i];
  } else dst.set(src, at);
}

/** Views on the codec memory and the encoder's regions; re-created only when memory grows. */
export class EncoderTable {
  u8!: Uint8Array;
  u32!: Uint32Array;
  /** The last PUBLISH topic, kept at the end of scratch. */
  private readonly slot = new TopicSlot();
  /** Word index of the state block. */
  private state: number;
  private buffer: ArrayBuffer | null = null;
  private scratch = 0;
  private scratchCap = 0;
  /** Scratch bytes packets may use: all but the topic slot. */
  private room = 0;
  private table = 0;
  private tableCap = 0;
  /** Header word holding the packet's topic offset when the topic is in the slot, else -1. */
  private slotField = -1;
  /** Next free scratch byte (relative) and next free entry of the packet being written. */
  private sp = 0;
  private entries = 0;

  constructor(private readonly wasm: CodecWasm) {
    this.state = (wasm.exports.encodeState() as number) >>> 2;
    this.refresh();
  }

  /** Re-creates the views if memory grew, and re-reads where the regions are. */
  refresh(): void {
    const buf = this.wasm.memory.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.u8 = new Uint8Array(buf);
      this.u32 = new Uint32Array(buf);
    }
    const s = this.state;
    this.scratch = this.u32[s + S_SCRATCH];
    this.scratchCap = this.u32[s + S_SCRATCH_CAP];
    this.table = this.u32[s + S_TABLE] >>> 2;
    this.tableCap = this.u32[s + S_TABLE_CAP];
    this.room = this.scratchCap - SLOT_BYTES;
    this.slot.place(this.u8, this.u32, this.scratch, this.scratchCap);
  }

  /** A state block word (S_OUT, S_DETAIL). */
  stateWord(i: number): number {
    if (this.u32.length === 0) this.refresh(); // the call grew memory: views detached
    return this.u32[this.state + i];
  }

  /** Starts a packet: empty scratch and entries, zeroed header. */
  begin(type: number): void {
    this.reset(type);
    const t = this.table;
    this.u32.fill(0, t + 1, t + T_ENTRIES);
  }

  /**
   * Starts a packet without zeroing the header: the caller sets every header word the packet's
   * WASM encoder reads (the PUBLISH fast path).
   */
  reset(type: number): void {
    // Growth detaches the old views (length 0): cheaper to test than reading memory.buffer.
    if (this.u32.length === 0) this.refresh();
    this.sp = 0;
    this.entries = 0;
    this.slotField = -1;
    this.u32[this.table + T_TYPE] = type;
  }

  /** Sets header word `t`. */
  set(t: number, value: number): void {
    this.u32[this.table + t] = value;
  }

  private grow(scratchBytes: number, tableWords: number): void {
    this.wasm.exports.encodeReserve(Math.max(scratchBytes + SLOT_BYTES, this.scratchCap), Math.max(tableWords, this.tableCap));
    this.refresh();
    // A bigger scratch moves the slot (its topic is written again there): the packet's field follows.
    if (this.slotField >= 0) this.u32[this.table + this.slotField] = this.slot.offset;
  }

  /** Copies a string as UTF-8 into scratch; returns its byte length (offset: `this.last`). */
  str(s: string, what: string): number {
    if (typeof s !== "string") throw new RangeError(`cannot encode: ${what} must be a string, got ${typeof s}`);
    const n = s.length;
    // Every UTF-16 unit is at least one UTF-8 byte: refuse before reserving 3 bytes per unit.
    if (n > MAX_STRING) throw new RangeError(`cannot encode: ${what} is longer than 65,535 bytes`);
    if (this.sp + n * UTF8_PER_UNIT > this.room) this.grow(this.sp + n * UTF8_PER_UNIT, 0);
    const at = this.scratch + this.sp;
    this.last = this.sp;
    let written = -1;
    if (n <= ASCII_LOOP_MAX) {
      const u8 = this.u8;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        u8[at + i] = c;
      }
      if (i === n) written = n;
    }
    if (written < 0) written = utf8.encodeInto(s, this.u8.subarray(at, at + n * UTF8_PER_UNIT)).written;
    this.sp += written;
    return written;
  }

  /** A PUBLISH topic into header words t (offset), t + 1 (length): into the topic slot when it fits. */
  topicField(t: number, s: string, what: string): void {
    if (typeof s !== "string") return this.strField(t, s, what); // which names the type error
    const n = this.slot.write(s);
    // Checked once per topic: a slot hit reuses the verdict; a topic too long for it is scanned.
    const fault = n < 0 ? topicNameFault(s) : this.slot.fault;
    if (fault >= 0) throw topicNameError(fault); // [MQTT-3.3.2-2] [MQTT-1.5.4-2]
    if (n < 0) return this.strField(t, s, what);
    this.slotField = t;
    this.u32[this.table + t] = this.slot.offset;
    this.u32[this.table + t + 1] = n;
  }

  /** Scratch offset of the last string or binary written. */
  last = 0;

  /** The length of bytes that may go into a packet, or a RangeError naming the field. */
  binLength(b: Uint8Array, what: string): number {
    if (!(b instanceof Uint8Array)) throw new RangeError(`cannot encode: ${what} must be a Uint8Array`);
    const n = b.length;
    if (n > MAX_REMAINING) throw new RangeError(`cannot encode: ${what} makes the remaining length exceed 268,435,455 bytes`);
    return n;
  }

  /** Copies bytes into scratch; returns their length (offset: `this.last`). */
  bin(b: Uint8Array, what: string): number {
    const n = this.binLength(b, what);
    if (this.sp + n > this.room) this.grow(this.sp + n, 0);
    this.last = this.sp;
    copyBytes(b, this.u8, this.scratch + this.sp);
    this.sp += n;
    return n;
  }

  /** A string into header words t (offset), t + 1 (length). */
  strField(t: number, s: string, what: string): void {
    const len = this.str(s, what);
    this.u32[this.table + t] = this.last;
    this.u32[this.table + t + 1] = len;
  }

  /** Bytes into header words t (offset), t + 1 (length). */
  binField(t: number, b: Uint8Array, what: string): void {
    const len = this.bin(b, what);
    this.u32[this.table + t] = this.last;
    this.u32[this.table + t + 1] = len;
  }

  /** Copies the `n` bytes at WASM address `from` (the out region) into `dst` at `at`. */
  copyOut(from: number, n: number, dst: Uint8Array, at: number): void {
    if (n > SMALL_COPY) {
      dst.set(this.u8.subarray(from, from + n), at);
      return;
    }
    let i = 0;
    if (LITTLE_ENDIAN && (from & 3) === 0) { // heap blocks are aligned: 4 bytes per read
      const u32 = this.u32;
      for (; i + 4 <= n; i += 4) {
        const w = u32[(from + i) >>> 2];
        dst[at + i] = w;
        dst[at + i + 1] = w >>> 8;
        dst[at + i + 2] = w >>> 16;
        dst[at + i + 3] = w >>> 24;
      }
    }
    for (; i < n; i++) dst[at + i] = this.u8[from + i];
  }

  /** Index the next entry will get. */
  get entryCount(): number {
    return this.entries;
  }

  /** Appends a 4-word entry; returns its index. */
  entry(a: number, b: number, c: number, d: number): number {
    const e = this.entries;
    const w = T_ENTRIES + (e << 2);
    if (w + 4 > this.tableCap) this.grow(0, w + 4);
    const at = this.table + w;
    const u = this.u32;
    u[at] = a;
    u[at + 1] = b;
    u[at + 2] = c;
    u[at + 3] = d;
    this.entries = e + 1;
    return e;
  }

  /** Records entries [first, now) as the list starting at header word `t`. */
  span(t: number, first: number): void {
    this.u32[this.table + t] = first;
    this.u32[this.table + t + 1] = this.entries - first;
  }
}
