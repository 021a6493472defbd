/**
 * The FrameBatch a StreamDecoder returns: accessors over the frame table in WASM memory.
 * One object per codec (its decoders share it), refilled by each push; only numbers are read on the
 * hot path.
 */
import type { Packet, ProtocolLevel } from "../protocol/packets.ts";
import {
  F_CODE, F_FLAGS, F_IN_PLACE, F_LENGTH, F_LEVEL, F_PACKET_ID, F_PAYLOAD_LEN, F_PAYLOAD_OFF, F_PROPS_LEN, F_PROPS_OFF,
  F_REASON,
  F_START, F_TOPIC_ALIAS, F_TOPIC_LEN, F_TOPIC_OFF, F_TYPE, FRAME_WORDS,
} from "../../wasm/assembly/codec/frame_layout.ts";
import { materialisePacket } from "./packet_reader.ts";
import type { FrameBatch } from "./types.ts";

/**
 * Where a batch's tables live: word bases into `i32` (a view of the whole memory), and `remap()`,
 * which re-makes `i32` and `bytes` on the current `memory.buffer` (same addresses) after growth.
 */
export interface BatchTables {
  i32: Int32Array;
  bytes: Uint8Array;
  frames: number;
  props: number;
  fields: number;
  remap(): void;
}

const NO_TABLES: BatchTables = {
  i32: new Int32Array(0), bytes: new Uint8Array(0), frames: 0, props: 0, fields: 0, remap() {},
};

/**
 * FrameBatch over the decoder tables; extra accessors are for the broker's hot path.
 *
 * Survives memory growth: an encode on the same codec may grow the WASM memory while the batch is
 * being iterated, which detaches the old `ArrayBuffer` (and every view on it: their length becomes
 * 0). Each accessor tests its view's length, a field read with no allocation, and only when it is 0
 * takes the views the decoder memory re-made on the new buffer. The tables themselves do not move
 * (only a decode call moves them), so the frames stay readable until the next push.
 */
export class DecodedBatch implements FrameBatch {
  count = 0;
  /** Word bases (element indexes into `i32`) of the frame, property and field tables. */
  frames = 0;
  props = 0;
  fields = 0;
  private tables: BatchTables = NO_TABLES;
  private words: Int32Array = NO_TABLES.i32;
  private input: Uint8Array = NO_TABLES.bytes;
  /** The pushed chunk (in-place payloads index it). */
  private chunk: Uint8Array = NO_TABLES.bytes;

  /** Points the batch at freshly decoded tables (of a push of `chunk`). */
  fill(t: BatchTables, count: number, chunk: Uint8Array = NO_TABLES.bytes): this {
    this.tables = t;
    this.chunk = chunk;
    this.words = t.i32;
    this.input = t.bytes;
    this.frames = t.frames;
    this.props = t.props;
    this.fields = t.fields;
    this.count = count;
    return this;
  }

  /** Views on the current memory buffer (re-taken after growth); returns the word view. */
  private remap(): Int32Array {
    const t = this.tables;
    t.remap();
    this.input = t.bytes;
    return (this.words = t.i32);
  }

  /** A view of all of WASM memory as i32 words (table bases `frames`, `props`, `fields`). */
  get i32(): Int32Array {
    const w = this.words;
    return w.length !== 0 ? w : this.remap();
  }

  /** The decoder's input region: offsets in the tables index it. */
  get bytes(): Uint8Array {
    if (this.input.length === 0) this.remap();
    return this.input;
  }

  /** Word `k` of frame `i`. */
  word(i: number, k: number): number {
    return this.i32[this.frames + i * FRAME_WORDS + k];
  }

  type(i: number): number { return this.word(i, F_TYPE); }
  flags(i: number): number { return this.word(i, F_FLAGS); }
  reason(i: number): number { return this.word(i, F_REASON); }
  start(i: number): number { return this.word(i, F_START); }
  length(i: number): number { return this.word(i, F_LENGTH); }
  packetId(i: number): number { return this.word(i, F_PACKET_ID); }
  topicOffset(i: number): number { return this.word(i, F_TOPIC_OFF); }
  topicLength(i: number): number { return this.word(i, F_TOPIC_LEN); }
  payloadOffset(i: number): number { return this.word(i, F_PAYLOAD_OFF); }
  payloadLength(i: number): number { return this.word(i, F_PAYLOAD_LEN); }
  propertiesOffset(i: number): number { return this.word(i, F_PROPS_OFF); }
  propertiesLength(i: number): number { return this.word(i, F_PROPS_LEN); }
  topicAlias(i: number): number { return this.word(i, F_TOPIC_ALIAS); }
  payloadInPlace(i: number): boolean { return this.word(i, F_IN_PLACE) !== 0; }
  payloadBytes(i: number): Uint8Array { return this.word(i, F_IN_PLACE) !== 0 ? this.chunk : this.bytes; }
  payload(i: number): Uint8Array {
    const off = this.payloadOffset(i);
    return this.payloadBytes(i).subarray(off, off + this.payloadLength(i));
  }
  /** Protocol level frame `i` was decoded with (a CONNECT: the level it declares). */
  level(i: number): ProtocolLevel { return this.word(i, F_LEVEL) as ProtocolLevel; }
  /** Reason / return code carried by the packet (CONNACK, acks, DISCONNECT, AUTH); -1 when absent. */
  code(i: number): number { return this.word(i, F_CODE); }
  packet(i: number): Packet {
    if (i < 0 || i >= this.count) throw new RangeError(`frame ${i} of ${this.count}`);
    // An invalid frame's tables are partly filled: there is no packet to show, only its reason.
    if (this.reason(i) !== 0) throw new Error(`frame ${i} is invalid: reason 0x${this.reason(i).toString(16)}`);
    return materialisePacket(this, i);
  }
}
