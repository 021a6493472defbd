/**
 * `vireo/codec`: Vireo's WebAssembly MQTT codec and topic index as a library of their own.
 * Loads in Node, Deno, Bun and browsers with no file-system access (the .wasm bytes are embedded).
 *
 * @example
 * import { createCodec } from "vireo/codec";
 * const codec = createCodec();
 * const bytes = codec.encode({ type: 3, topic: "a/b", payload: new Uint8Array([1]), qos: 0, dup: false, retain: false }, 4);
 * const batch = codec.createDecoder().push(bytes);
 * console.log(batch.count, batch.packet(0));
 */
import type { Packet, ProtocolLevel } from "./protocol/packets.ts";
import { type CodecWasm, createCodecWasm, loadCodecWasm } from "./wasm/codec_instance.ts";
import { createDecoderFactory } from "./wasm/decoder.ts";
import { createEncoder } from "./wasm/encoder.ts";
import type { DecoderOptions, StreamDecoder } from "./wasm/types.ts";

export * from "./protocol/packets.ts";
export * from "./protocol/reason_codes.ts";
export type { DecoderOptions, FrameBatch, StreamDecoder } from "./wasm/types.ts";
export { createTopicIndex, loadTopicIndex } from "./wasm/topic_index.ts";
export type { TopicIndex } from "./wasm/topic_index.ts";

/** One codec instance: any number of stream decoders and one encoder sharing a WASM memory. */
export interface Codec {
  /** A decoder for one byte stream (one per connection). */
  createDecoder(options?: DecoderOptions): StreamDecoder;
  /** Encodes a packet for a protocol level (3 = 3.1, 4 = 3.1.1, 5 = 5.0); returns a fresh copy. */
  encode(packet: Packet, level: ProtocolLevel): Uint8Array;
  /** Encodes into `target` at `offset`; returns bytes written, or -(bytes needed) when it does not fit. */
  encodeInto(packet: Packet, level: ProtocolLevel, target: Uint8Array, offset: number): number;
}

function compose(wasm: CodecWasm): Codec {
  const decoders = createDecoderFactory(wasm);
  const encoder = createEncoder(wasm);
  return {
    createDecoder: (options) => decoders(options),
    encode: (packet, level) => encoder.encode(packet, level),
    encodeInto: (packet, level, target, offset) => encoder.encodeInto(packet, level, target, offset),
  };
}

/** Creates a codec synchronously (servers, workers, tests). */
export function createCodec(): Codec {
  return compose(createCodecWasm());
}

/** Creates a codec with asynchronous compilation (browsers' main thread, any runtime). */
export async function loadCodec(): Promise<Codec> {
  return compose(await loadCodecWasm());
}
