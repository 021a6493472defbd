/**
 * The codec WebAssembly instance shared by the decoder and encoder facades (one memory).
 * Loads from embedded bytes: no file system, works in Node, Deno, Bun and browsers.
 */
import { CODEC_WASM_BASE64 } from "./generated/codec_wasm.ts";
import { instantiate, instantiateSync } from "./loader.ts";

/** A codec instance: its raw exports and memory. Facades cache views and re-create them on growth. */
export interface CodecWasm {
  // deno-lint-ignore no-explicit-any
  readonly exports: any;
  readonly memory: WebAssembly.Memory;
}

function wrap(instance: WebAssembly.Instance): CodecWasm {
  const exports = instance.exports;
  return { exports, memory: exports.memory as WebAssembly.Memory };
}

/** A new codec instance, compiled synchronously (servers, workers, tests). */
export function createCodecWasm(): CodecWasm {
  return wrap(instantiateSync(CODEC_WASM_BASE64));
}

/** A new codec instance, compiled asynchronously (browsers' main thread, any runtime). */
export async function loadCodecWasm(): Promise<CodecWasm> {
  return wrap(await instantiate(CODEC_WASM_BASE64));
}
