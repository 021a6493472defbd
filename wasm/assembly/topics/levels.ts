// The input buffer (topic or filter bytes written by the facade) and its split into levels.
// Each call splits once: level offsets, lengths and hashes go to static tables sized with the input.
import { bufferAlloc, bufferFree } from "./alloc";
import { FNV_BASIS, fnvStep } from "./hash";

const SLASH: u8 = 0x2f;
const PLUS: u8 = 0x2b;
const HASH: u8 = 0x23;

/** Input bytes (the facade writes here); grows only through `reserveInput`. */
export let inputPtr: usize = 0;
export let inputCap: usize = 0;
/** Per level: start offset (absolute), length, hash. A topic of n bytes has at most n + 1 levels. */
export let levelStart: usize = 0;
export let levelLen: usize = 0;
export let levelHash: usize = 0;
export let levelCount: u32 = 0;
/** Node reached at each depth by the last walk (path[0] = root), for unlinking emptied nodes. */
export let pathPtr: usize = 0;

/** Makes the input buffer hold at least `len` bytes (the level tables follow its size). */
export function reserveInput(len: usize): void {
  if (len <= inputCap) return;
  let cap: usize = inputCap == 0 ? 65536 : inputCap;
  while (cap < len) cap <<= 1;
  if (inputCap != 0) {
    bufferFree(inputPtr, inputCap);
    bufferFree(levelStart, (inputCap + 1) << 2);
    bufferFree(levelLen, (inputCap + 1) << 2);
    bufferFree(levelHash, (inputCap + 1) << 2);
    bufferFree(pathPtr, (inputCap + 2) << 2);
  }
  inputPtr = bufferAlloc(cap);
  inputCap = cap;
  levelStart = bufferAlloc((cap + 1) << 2);
  levelLen = bufferAlloc((cap + 1) << 2);
  levelHash = bufferAlloc((cap + 1) << 2);
  pathPtr = bufferAlloc((cap + 2) << 2);
}

// @ts-ignore: decorator
@inline export function lvStart(i: u32): usize { return <usize>load<u32>(levelStart + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function lvLen(i: u32): usize { return <usize>load<u32>(levelLen + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function lvHash(i: u32): u32 { return load<u32>(levelHash + (<usize>i << 2)); }

// @ts-ignore: decorator
@inline function putLevel(i: u32, start: usize, len: usize, h: u32): void {
  const at = <usize>i << 2;
  store<u32>(levelStart + at, <u32>start);
  store<u32>(levelLen + at, <u32>len);
  store<u32>(levelHash + at, h);
}

/** Splits `len` bytes at `ptr` on '/' into the level tables (hashing in the same pass); returns the count. */
export function splitLevels(ptr: usize, len: usize): u32 {
  let n: u32 = 0;
  let start = ptr;
  let h = FNV_BASIS;
  const end = ptr + len;
  for (let p = ptr; p < end; p++) {
    const c = <u32>load<u8>(p);
    if (c == SLASH) {
      putLevel(n++, start, p - start, h);
      start = p + 1;
      h = FNV_BASIS;
    } else {
      h = fnvStep(h, c);
    }
  }
  putLevel(n++, start, end - start, h);
  levelCount = n;
  return n;
}

/** Level kinds for filters. */
export const LV_PLAIN: u32 = 0;
export const LV_PLUS: u32 = 1;
export const LV_HASH: u32 = 2;

/** The kind of level `i` (call after `splitLevels`). */
export function levelKind(i: u32): u32 {
  if (lvLen(i) != 1) return LV_PLAIN;
  const c = load<u8>(lvStart(i));
  return c == PLUS ? LV_PLUS : c == HASH ? LV_HASH : LV_PLAIN;
}

/** True when `len` bytes at `ptr` form a valid topic filter. */
export function validFilter(ptr: usize, len: usize): bool {
  if (len == 0) return false; // [MQTT-4.7.3-1]
  const end = ptr + len;
  for (let p = ptr; p < end; p++) {
    const c = load<u8>(p);
    if (c == 0) return false; // [MQTT-4.7.3-2]
    const alone = (p == ptr || load<u8>(p - 1) == SLASH) && (p + 1 == end || load<u8>(p + 1) == SLASH);
    if (c == PLUS && !alone) return false; // [MQTT-4.7.1-3]
    if (c == HASH && (!alone || p + 1 != end)) return false; // [MQTT-4.7.1-2]
  }
  return true;
}

/** True when `len` bytes at `ptr` form a valid topic name (no wildcards, no U+0000, not empty). */
export function validTopic(ptr: usize, len: usize): bool {
  if (len == 0) return false; // [MQTT-4.7.3-1]
  for (let p = ptr; p < ptr + len; p++) {
    const c = load<u8>(p);
    if (c == 0) return false; // [MQTT-4.7.3-2]
    if (c == PLUS || c == HASH) return false; // [MQTT-3.3.2-2]
  }
  return true;
}
