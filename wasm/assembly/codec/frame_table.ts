// The decoder's static regions, shared with the JS facade through a header of u32 words:
//
//   HEADER  [0] input ptr    [1] input cap (bytes)
//           [2] frames ptr   [3] frame cap       (FRAME_WORDS i32 per frame)
//           [4] props ptr    [5] prop cap        (PROP_WORDS i32 per property)
//           [6] fields ptr   [7] field cap       (FIELD_WORDS i32 per field)
//           [8] consumed     [9] needed          (after a decode call)
//           [10] level       [11] status         (1 frames / 2 props / 4 fields table full)
//
// Word indices (H_*, F_*, *_WORDS, CF_*) are in frame_layout.ts, shared with the TS facade.
// Offsets stored in the tables are relative to the input pointer, i.e. indexes into the facade's
// `bytes` view. Regions come from heap.alloc once; a full table is re-allocated at double size
// (contents copied, the old block abandoned: --runtime stub never frees, waste stays bounded).

export * from "./frame_layout";
import { F_CODE, FIELD_WORDS, FRAME_WORDS, FULL_FIELDS, FULL_FRAMES, FULL_PROPS, H_FIELD_CAP, H_FIELDS,
  H_FRAME_CAP, H_FRAMES, H_INPUT, H_INPUT_CAP, H_PROP_CAP, H_PROPS, PROP_WORDS } from "./frame_layout";

export const HEADER: usize = memory.data(64);

export let inputPtr: usize = 0;
let inputCap: u32 = 0;
let framesPtr: usize = 0;
export let frameCap: u32 = 0;
let propsPtr: usize = 0;
let propCap: u32 = 0;
export let propUsed: u32 = 0;
let fieldsPtr: usize = 0;
let fieldCap: u32 = 0;
export let fieldUsed: u32 = 0;
/** Set when a property or field did not fit: the packet is retried after the facade grows. */
export let tableFull: u32 = 0;

// @ts-ignore: decorator
@inline export function hset(word: u32, v: u32): void { store<u32>(HEADER + (<usize>word << 2), v); }

/** Makes the input region hold at least `len` bytes. */
export function reserveInput(len: u32): void {
  if (len <= inputCap) return;
  let cap: u32 = inputCap == 0 ? 65536 : inputCap;
  while (cap < len) cap <<= 1;
  inputPtr = heap.alloc(<usize>cap);
  inputCap = cap;
  hset(H_INPUT, <u32>inputPtr);
  hset(H_INPUT_CAP, cap);
}

function regrow(old: usize, used: u32, cap: u32, words: u32): usize {
  const p = heap.alloc(<usize>cap * words * 4);
  if (old != 0 && used != 0) memory.copy(p, old, <usize>used * words * 4);
  return p;
}

/** Doubles the tables named by `mask` (FULL_*), keeping their `used` entries. */
export function growTables(mask: u32, framesUsed: u32): void {
  if (mask & FULL_FRAMES) {
    frameCap = frameCap == 0 ? 256 : frameCap << 1;
    framesPtr = regrow(framesPtr, framesUsed, frameCap, FRAME_WORDS);
  }
  if (mask & FULL_PROPS) {
    propCap = propCap == 0 ? 1024 : propCap << 1;
    propsPtr = regrow(propsPtr, propUsed, propCap, PROP_WORDS);
  }
  if (mask & FULL_FIELDS) {
    fieldCap = fieldCap == 0 ? 1024 : fieldCap << 1;
    fieldsPtr = regrow(fieldsPtr, fieldUsed, fieldCap, FIELD_WORDS);
  }
  hset(H_FRAMES, <u32>framesPtr);
  hset(H_FRAME_CAP, frameCap);
  hset(H_PROPS, <u32>propsPtr);
  hset(H_PROP_CAP, propCap);
  hset(H_FIELDS, <u32>fieldsPtr);
  hset(H_FIELD_CAP, fieldCap);
}

/** Starts a decode call: a new batch empties the property and field tables, a resumed one keeps them. */
export function startCall(newBatch: bool): void {
  if (newBatch) {
    propUsed = 0;
    fieldUsed = 0;
  }
  tableFull = 0;
}

/** Rolls the property and field tables back to a mark (a packet that did not fit is dropped). */
export function rollback(props: u32, fields: u32): void {
  propUsed = props;
  fieldUsed = fields;
}

/** The frame being written. */
let cur: usize = 0;

/** Starts frame `i`, zeroing its record. */
export function beginFrame(i: u32): void {
  cur = framesPtr + <usize>i * FRAME_WORDS * 4;
  memory.fill(cur, 0, FRAME_WORDS * 4);
  store<i32>(cur + (F_CODE << 2), -1);
}

// @ts-ignore: decorator
@inline export function fset(word: u32, v: i32): void { store<i32>(cur + (<usize>word << 2), v); }

// @ts-ignore: decorator
@inline export function fget(word: u32): i32 { return load<i32>(cur + (<usize>word << 2)); }

/** Offset of an absolute pointer into the input region. */
// @ts-ignore: decorator
@inline export function rel(p: usize): i32 { return <i32>(p - inputPtr); }

/** Appends a property entry; false (and `tableFull`) when the table is full. */
export function propPush(id: i32, a: i32, b: i32, c: i32, d: i32): bool {
  if (propUsed >= propCap) { tableFull |= FULL_PROPS; return false; }
  const p = propsPtr + <usize>propUsed * PROP_WORDS * 4;
  store<i32>(p, id);
  store<i32>(p, a, 4);
  store<i32>(p, b, 8);
  store<i32>(p, c, 12);
  store<i32>(p, d, 16);
  propUsed++;
  return true;
}

/** Appends a field entry; false (and `tableFull`) when the table is full. */
export function fieldPush(a: i32, b: i32, c: i32, d: i32): bool {
  if (fieldUsed >= fieldCap) { tableFull |= FULL_FIELDS; return false; }
  const p = fieldsPtr + <usize>fieldUsed * FIELD_WORDS * 4;
  store<i32>(p, a);
  store<i32>(p, b, 4);
  store<i32>(p, c, 8);
  store<i32>(p, d, 12);
  fieldUsed++;
  return true;
}

/** Overwrites words of an already pushed field entry (CONNECT fills its slots as it reads). */
export function fieldSet(index: u32, a: i32, b: i32): void {
  const p = fieldsPtr + <usize>index * FIELD_WORDS * 4;
  store<i32>(p, a);
  store<i32>(p, b, 4);
}

/** Sets words 2 and 3 of a field entry. */
export function fieldSetExtra(index: u32, c: i32, d: i32): void {
  const p = fieldsPtr + <usize>index * FIELD_WORDS * 4;
  store<i32>(p, c, 8);
  store<i32>(p, d, 12);
}
