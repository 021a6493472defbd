/**
 * The FrameBatch a StreamDecoder returns: accessors over the frame table in WASM memory.
 * One object per decoder, refilled by each push (only numbers are read on the hot path).
 */
import type { Packet, ProtocolLevel } from "../protocol/packets.ts";
import { F, FRAME_WORDS } from "./decoder_layout.ts";
import { materialisePacket } from "./packet_reader.ts";
import type { FrameBatch } from "./types.ts";

/** Where a batch's tables live: word bases into `i32` (a view of the whole memory). */
export interface BatchTables {
  i32: Int32Array;
  bytes: Uint8Array;
  frames: number;
  props: number;
  fields: number;
}

/** FrameBatch over the decoder tables; extra accessors are for the broker's hot path. */
export class DecodedBatch implements FrameBatch {
  count = 0;
  bytes: Uint8Array = new Uint8Array(0);
  /** Word bases (element indexes into `i32`) of the frame, property and field tables. */
  i32: Int32Array = new Int32Array(0);
  frames = 0;
  props = 0;
  fields = 0;

  /** Points the batch at freshly decoded tables. */
  fill(t: BatchTables, count: number): this {
    this.i32 = t.i32;
    this.bytes = t.bytes;
    this.frames = t.frames;
    this.props = t.props;
    this.fields = t.fields;
    this.count = count;
    return this;
  }

  /** Word `k` of frame `i`. */
  word(i: number, k: number): number {
    return this.i32[this.frames + i * FRAME_WORDS + k];
  }

  type(i: number): number { return this.word(i, F.TYPE); }
  flags(i: number): number { return this.word(i, F.FLAGS); }
  reason(i: number): number { return this.word(i, F.REASON); }
  start(i: number): number { return this.word(i, F.START); }
  length(i: number): number { return this.word(i, F.LENGTH); }
  packetId(i: number): number { return this.word(i, F.PACKET_ID); }
  topicOffset(i: number): number { return this.word(i, F.TOPIC_OFF); }
  topicLength(i: number): number { return this.word(i, F.TOPIC_LEN); }
  payloadOffset(i: number): number { return this.word(i, F.PAYLOAD_OFF); }
  payloadLength(i: number): number { return this.word(i, F.PAYLOAD_LEN); }
  propertiesOffset(i: number): number { return this.word(i, F.PROPS_OFF); }
  propertiesLength(i: number): number { return this.word(i, F.PROPS_LEN); }
  topicAlias(i: number): number { return this.word(i, F.TOPIC_ALIAS); }
  /** Protocol level frame `i` was decoded with (a CONNECT: the level it declares). */
  level(i: number): ProtocolLevel { return this.word(i, F.LEVEL) as ProtocolLevel; }
  /** Reason / return code carried by the packet (CONNACK, acks, DISCONNECT, AUTH); -1 when absent. */
  code(i: number): number { return this.word(i, F.CODE); }
  packet(i: number): Packet {
    if (i < 0 || i >= this.count) throw new RangeError(`frame ${i} of ${this.count}`);
    // An invalid frame's tables are partly filled: there is no packet to show, only its reason.
    if (this.reason(i) !== 0) throw new Error(`frame ${i} is invalid: reason 0x${this.reason(i).toString(16)}`);
    return materialisePacket(this, i);
  }
}
