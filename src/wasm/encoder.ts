/**
 * The packet encoder facade over the codec's WebAssembly module (docs/WASM_ABI.md, "Encoder").
 *
 * A packet's strings and binaries go into the WASM scratch region (UTF-8 written straight into WASM
 * memory), its numbers into the WASM table; ONE WASM call then writes the whole packet into the
 * encoder's output region, which is copied out (`encode`) or into a caller's buffer (`encodeInto`),
 * or handed out as a view (`encodeView`, `publishFrom`, `ack`: valid until the next call on any
 * encoder of the same codec instance). Packets that cannot be encoded throw a RangeError.
 */
import type { Packet, ProtocolLevel } from "../protocol/packets.ts";
import type { CodecWasm } from "./codec_instance.ts";
import { encodeError } from "./encode_errors.ts";
import { fillTable } from "./encode_fill.ts";
import { EncoderTable, S_DETAIL, S_OUT } from "./encode_table.ts";

/** Packets up to this size are copied into a caller's buffer byte by byte (no view allocated). */
const SMALL_COPY = 64;

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

  /** Encodes into the out region; returns the length (the address is state word S_OUT). */
  private run(packet: Packet, level: ProtocolLevel): number {
    if (packet === null || typeof packet !== "object") throw new RangeError("cannot encode: not a packet");
    // Numbers only cross into WASM: anything else would be converted (and could throw a TypeError).
    if (typeof packet.type !== "number") throw new RangeError("cannot encode: packet type must be a number");
    if (typeof level !== "number") throw new RangeError("cannot encode: protocol level must be 3, 4 or 5");
    fillTable(this.table, packet, level);
    return this.ex.encodePacket(level);
  }

  encodeView(packet: Packet, level: ProtocolLevel): Uint8Array {
    return this.result(this.run(packet, level), packet.type, level);
  }

  encode(packet: Packet, level: ProtocolLevel): Uint8Array {
    const n = this.run(packet, level);
    const out = this.out(n, packet.type, level);
    return this.table.u8.slice(out, out + n); // one allocation (no intermediate view)
  }

  encodeInto(packet: Packet, level: ProtocolLevel, target: Uint8Array, offset: number): number {
    const n = this.run(packet, level);
    const out = this.out(n, packet.type, level);
    if (!(offset >= 0) || target.length - offset < n) return -n;
    const u8 = this.table.u8;
    if (n <= SMALL_COPY) {
      for (let i = 0; i < n; i++) target[offset + i] = u8[out + i];
    } else {
      target.set(u8.subarray(out, out + n), offset);
    }
    return n;
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
