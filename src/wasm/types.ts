/**
 * Contracts between the WASM facades and their users (the broker, embedders).
 * Implementations: src/wasm/decoder.ts, src/wasm/encoder.ts, src/wasm/topic_index.ts.
 */
import type { Packet, ProtocolLevel } from "../protocol/packets.ts";

export interface DecoderOptions {
  /** Largest packet accepted (whole packet incl. fixed header). Default 268,435,460 (spec max). */
  maxPacketSize?: number;
  /** Level to decode with before a CONNECT is seen (a server learns it from CONNECT). Default 4. */
  protocolLevel?: ProtocolLevel;
  /**
   * In-place payloads: a PUBLISH that starts in the pushed chunk and carries at least this many
   * payload bytes is decoded from its head alone; its payload is not copied into WASM memory but
   * left in the chunk (`payloadInPlace(i)`, `payloadBytes(i)`, `payload(i)`, and `packet(i).payload`
   * are views of the chunk). Such views stay valid as long as the caller leaves the chunk's bytes
   * alone, past the next push; the incomplete last packet of a chunk is also read from the chunk
   * at the next push. A packet that started in an earlier push is copied as usual.
   * Default 0: every byte is copied (`bytes` holds whole packets). Use ≥ 1024 or so: smaller
   * payloads are copied about as fast as they are skipped.
   */
  inPlacePayloadBytes?: number;
}

/**
 * The frames decoded by one `push`. Offsets index `bytes`, a view on WASM memory that stays valid
 * only until the next `push` on any decoder of the same codec: copy what you keep. The exception is
 * an in-place payload (DecoderOptions.inPlacePayloadBytes): `payloadOffset(i)` then indexes the
 * pushed chunk (`payloadBytes(i)`), and `bytes` holds only that packet's head. Encodes on the
 * same codec may grow the memory meanwhile: the batch stays readable, but read `bytes` again after
 * an encode (a `bytes` taken before it may be detached).
 * If `reason(i) !== 0` frame i is the last one: the stream is broken (or the packet forbidden)
 * and the connection must be answered with that reason code (v5) or closed (3.1.1).
 */
export interface FrameBatch {
  readonly count: number;
  readonly bytes: Uint8Array;
  type(i: number): number;
  /** Low 4 bits of the first byte (PUBLISH: dup=8, qos=(f>>1)&3, retain=1). */
  flags(i: number): number;
  /** 0 = valid; otherwise a ReasonCode (0x81 malformed, 0x82 protocol error, 0x95 too large, …). */
  reason(i: number): number;
  /** The whole packet: bytes.subarray(start, start + length) (an in-place payload is not there). */
  start(i: number): number;
  length(i: number): number;
  /** 0 when the packet has none. */
  packetId(i: number): number;
  /** PUBLISH only. */
  topicOffset(i: number): number;
  topicLength(i: number): number;
  /** Offset in `payloadBytes(i)`. */
  payloadOffset(i: number): number;
  payloadLength(i: number): number;
  /** True when frame i's payload was left in the pushed chunk (DecoderOptions.inPlacePayloadBytes). */
  payloadInPlace(i: number): boolean;
  /** The array `payloadOffset(i)` indexes: the pushed chunk for an in-place payload, else `bytes`. */
  payloadBytes(i: number): Uint8Array;
  /** A view (no copy) of the payload: valid until the next push, or as long as the chunk if in place. */
  payload(i: number): Uint8Array;
  /** v5: the property block's bytes (after its length varint); length 0 when empty / v3. */
  propertiesOffset(i: number): number;
  propertiesLength(i: number): number;
  /** v5 PUBLISH Topic Alias property, 0 when absent. */
  topicAlias(i: number): number;
  /** Materialise frame i as a packet object (cold path: allocates). */
  packet(i: number): Packet;
}

/** One per connection. Keeps only a partial packet's bytes between pushes. */
export interface StreamDecoder {
  /** Protocol level used for the next packets; set from a decoded CONNECT. */
  protocolLevel: ProtocolLevel;
  /** Decode one socket chunk (plus any bytes kept from earlier chunks). */
  push(chunk: Uint8Array): FrameBatch;
  /** Bytes still needed to complete the last, partial packet (0 = none pending). */
  readonly needed: number;
  /** Drop any partial packet. */
  reset(): void;
}
