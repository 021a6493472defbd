/**
 * Instantiates an embedded WebAssembly module. Works in Node, Deno, Bun and browsers:
 * the bytes come from a generated base64 module, so no file-system or fetch access is needed.
 */

/** Decodes base64 without Buffer (browsers) — runs once per module load. */
export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const IMPORTS = {
  env: {
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new Error(`wasm abort at ${line}:${col}`);
    },
  },
};

/**
 * Runs the module's static initialisers once (built with --exportStart _initialize): until then
 * heap.alloc would hand out memory overlapping static data. The start function guards re-runs.
 */
function initialized(instance: WebAssembly.Instance): WebAssembly.Instance {
  (instance.exports._initialize as (() => void) | undefined)?.();
  return instance;
}

/** Synchronous instantiation (servers, workers). Browsers' main thread should prefer the async form. */
export function instantiateSync(b64: string): WebAssembly.Instance {
  const mod = new WebAssembly.Module(base64ToBytes(b64) as BufferSource);
  return initialized(new WebAssembly.Instance(mod, IMPORTS));
}

/** Asynchronous instantiation (any runtime, including a browser's main thread). */
export async function instantiate(b64: string): Promise<WebAssembly.Instance> {
  const { instance } = await WebAssembly.instantiate(base64ToBytes(b64) as BufferSource, IMPORTS);
  return initialized(instance);
}
