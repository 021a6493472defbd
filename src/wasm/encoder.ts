/**
 * The packet encoder facade over the codec's WebAssembly module (docs/WASM_ABI.md, "Encoder").
 *
 * A packet's strings and binaries go into the WASM scratch region (UTF-8 written straight into WASM
 * memory), its numbers into the WASM table; ONE WASM call then writes the whole packet into the
 * encoder's output region, which is copied out (`encode`) or into a caller's buffer (`encodeInto`),
 * or handed out as a view (`encodeView`, `publishFrom`, `ack`: valid until the next call on any
 * encoder of the same codec instance). `encode` and `encodeInto` leave a PUBLISH's payload out of
 * WASM memory: the call writes the bytes before it, the payload is copied after them straight from
 * the packet. Packets that cannot be encoded throw a RangeError.
 */
import type { Packet, ProtocolLevel, PublishPacket } from "../protocol/packets.ts";
import type { CodecWasm } from "./codec_instance.ts";
import { encodeError } from "./encode_errors.ts";
import { fillPublishHead, fillTable } from "./encode_fill.ts";
import { copyBytes, EncoderTable, S_DETAIL, S_OUT, SMALL_COPY } from "./encode_table.ts";

/** The tail of a packet that has none (every packet but a PUBLISH, on `run(…, true)`). */
const NO_PAYLOAD = new Uint8Array(0);

/** What `run(packet, level, true)` leaves out of the out region: a PUBLISH's payload. */
function tailOf(packet: Packet): Uint8Array {
  return packet.type === 3 ? (packet as PublishPacket).payload : NO_PAYLOAD;
}

/** PUBLISH first-byte flags (low nibble), as in the decoder's frame table. */
export const PublishFlags = { RETAIN: 1, QOS1: 2, QOS2: 4, DUP: 8 } as const;

/** Encodes packets for one codec instance. */
export interface PacketEncoder {
  /** Encodes `packet` for protocol `level` (3 = 3.1, 4 = 3.1.1, 5 = 5.0); returns a fresh copy. */
  encode(packet: Packet, level: ProtocolLevel): Uint8Array;
  /**
   * Encodes into `target` at `offset`; returns the bytes written, or -(packet length) when the
   * packet does not fit in `target.length - offset` (nothing is written then).
   */
  encodeInto(packet: Packet, level: ProtocolLevel, target: Uint8Array, offset: number): number;
  /** Encodes and returns a view on the output region, valid until the next encoder call. */
  encodeView(packet: Packet, level: ProtocolLevel): Uint8Array;
  /**
   * Hot path: a PUBLISH built from bytes already in the codec's WASM memory, in one WASM call.
   * Offsets are absolute addresses in `wasm.memory` (for a decoded frame: `batch.bytes.byteOffset +
   * batch.topicOffset(i)`, …). `flags` is the first byte's low nibble (PublishFlags). At level 5 the
   * property block (`propsOffset`/`propsLength`, without its length varint) is copied without its
   * per-hop Topic Alias and Subscription Identifier properties; `subscriptionId` and `topicAlias`
   * (0 = none) are added; at levels 3 and 4 no properties are sent. `topicLength` may be 0 at level 5
   * when `topicAlias` is set. Returns a view on the output region, valid until the next encoder call.
   */
  publishFrom(
    flags: number, packetId: number, topicOffset: number, topicLength: number, propsOffset: number,
    propsLength: number, payloadOffset: number, payloadLength: number, level: ProtocolLevel,
    subscriptionId?: number, topicAlias?: number,
  ): Uint8Array;
  /**
   * As `publishFrom`, without the payload: the fixed header (whose remaining length counts
   * `payloadLength`), topic, packet id and properties. Send the payload bytes right after it.
   */
  publishHeader(
    flags: number, packetId: number, topicOffset: number, topicLength: number, propsOffset: number,
    propsLength: number, payloadLength: number, level: ProtocolLevel, subscriptionId?: number,
    topicAlias?: number,
  ): Uint8Array;
  /**
   * PUBACK (4) / PUBREC (5) / PUBREL (6) / PUBCOMP (7) without properties, from numbers alone.
   * Returns a view on the output region, valid until the next encoder call.
   */
  ack(type: 4 | 5 | 6 | 7, packetId: number, reasonCode: number, level: ProtocolLevel): Uint8Array;
}

class WasmPacketEncoder implements PacketEncoder {
  private readonly table: EncoderTable;
  // deno-lint-ignore no-explicit-any
  private readonly ex: any;

  constructor(wasm: CodecWasm) {
    this.ex = wasm.exports;
    this.table = new EncoderTable(wasm);
  }

  /** The out address for a call's result `n` (views refreshed), or the RangeError it stands for. */
  private out(n: number, type: number, level: number): number {
    const t = this.table;
    if (n < 0) throw encodeError(n, t.stateWord(S_DETAIL), type, level);
    return t.stateWord(S_OUT); // refreshes the views if the call grew memory
  }

  /** The output view for a call's result `n`, or the RangeError it stands for. */
  private result(n: number, type: number, level: number): Uint8Array {
    const out = this.out(n, type, level);
    return this.table.u8.subarray(out, out + n);
  }

  /** Throws unless `packet` and `level` can be described to WASM with numbers. */
  private check(packet: Packet, level: ProtocolLevel): void {
    if (packet === null || typeof packet !== "object") throw new RangeError("cannot encode: not a packet");
    // Numbers only cross into WASM: anything else would be converted (and could throw a TypeError).
    if (typeof packet.type !== "number") throw new RangeError("cannot encode: packet type must be a number");
    if (typeof level !== "number") throw new RangeError("cannot encode: protocol level must be 3, 4 or 5");
  }

  /**
   * Encodes the packet into the out region; returns the length (the address is state word S_OUT).
   * With `headOnly`, a PUBLISH's payload is not copied into WASM memory and back: the out region
   * gets the bytes before it, and the caller appends `tailOf(packet)` (validated here).
   */
  private run(packet: Packet, level: ProtocolLevel, headOnly = false): number {
    this.check(packet, level);
    if (headOnly && packet.type === 3) {
      fillPublishHead(this.table, packet, level);
      return this.ex.encodePublishHead(level);
    }
    fillTable(this.table, packet, level);
    return this.ex.encodePacket(level);
  }

  encodeView(packet: Packet, level: ProtocolLevel): Uint8Array {
    return this.result(this.run(packet, level), packet.type, level);
  }

  encode(packet: Packet, level: ProtocolLevel): Uint8Array {
    const n = this.run(packet, level, true);
    const out = this.out(n, packet.type, level);
    const tail = tailOf(packet);
    // One allocation either way; slice's fixed cost pays off on long packets only.
    if (tail.length === 0 && n > SMALL_COPY) return this.table.u8.slice(out, out + n);
    const bytes = new Uint8Array(n + tail.length);
    this.table.copyOut(out, n, bytes, 0);
    copyBytes(tail, bytes, n);
    return bytes;
  }

  encodeInto(packet: Packet, level: ProtocolLevel, target: Uint8Array, offset: number): number {
    const n = this.run(packet, level, true);
    const out = this.out(n, packet.type, level);
    const tail = tailOf(packet);
    const total = n + tail.length;
    if (!(offset >= 0) || target.length - offset < total) return -total;
    this.table.copyOut(out, n, target, offset);
    copyBytes(tail, target, offset + n);
    return total;
  }

  publishFrom(
    flags: number, packetId: number, topicOffset: number, topicLength: number, propsOffset: number,
    propsLength: number, payloadOffset: number, payloadLength: number, level: ProtocolLevel,
    subscriptionId = 0, topicAlias = 0,
  ): Uint8Array {
    const n = this.ex.encodePublishFrom(flags, packetId, topicOffset, topicLength, propsOffset, propsLength,
      payloadOffset, payloadLength, level, subscriptionId, topicAlias);
    return this.result(n, 3, level);
  }

  publishHeader(
    flags: number, packetId: number, topicOffset: number, topicLength: number, propsOffset: number,
    propsLength: number, payloadLength: number, level: ProtocolLevel, subscriptionId = 0, topicAlias = 0,
  ): Uint8Array {
    const n = this.ex.encodePublishHeader(flags, packetId, topicOffset, topicLength, propsOffset, propsLength,
      payloadLength, level, subscriptionId, topicAlias);
    return this.result(n, 3, level);
  }

  ack(type: 4 | 5 | 6 | 7, packetId: number, reasonCode: number, level: ProtocolLevel): Uint8Array {
    return this.result(this.ex.encodeAck(type, packetId, reasonCode, level), type, level);
  }
}

/** An encoder writing through `wasm`'s memory (one per codec instance is enough; it keeps no packet). */
export function createEncoder(wasm: CodecWasm): PacketEncoder {
  return new WasmPacketEncoder(wasm);
}
