// The encoder's memory regions, its input table and the byte writers every encode_*.ts uses.
//
// Regions (all from heap.alloc, owned by the encoder only; the decoder has its own):
//   out      the packet being written; re-allocated at double size when a packet does not fit
//   scratch  strings and binaries the facade copies in (UTF-8 / raw bytes, no length prefixes)
//   table    u32 words describing one packet: a header (T_* below) then 4-word entries
// Their current addresses and capacities live in the static STATE block, which the facade reads
// after every call (a region may have moved, and memory.buffer may have changed).
//
//   STATE (u32 words):  0 out  1 out cap  2 scratch  3 scratch cap  4 table  5 table cap (words)
//                       6 error detail (property id, field, reason code …)
//
//   table header (u32 words):
//     0 type   1 flags   2 packet id   3 qos   4 reason code   5 keep alive
//     6/7 A offset/length   8/9 B   10/11 C   12/13 D   14/15 E   (scratch-relative; see each packet)
//     16/17 properties: first entry, count   18/19 will properties   20/21 list: first entry, count
//   entries (4 words each, entry k at word T_ENTRIES + 4k):
//     property      id, value | scratch offset, byte length, value length (user property: key then value)
//     subscription  filter offset, filter length, qos, no local | retain as published << 1 | retain handling << 2
//     filter        offset, length, 0, 0
//     reason code   code, 0, 0, 0

export * from "./encode_layout";

export const STATE: usize = memory.data(8 * 4);


/** Errors returned (negated) by the encode* exports; the facade turns them into RangeErrors. */
export const E_LEVEL = -1;
export const E_TYPE = -2;
export const E_QOS = -3;
export const E_PACKET_ID = -4;
export const E_STRING_LENGTH = -5;
export const E_TOO_LARGE = -6;
export const E_PROPERTY_NOT_ALLOWED = -7;
export const E_PROPERTY_VALUE = -8;
export const E_PROPERTY_REPEATED = -9;
export const E_REASON_CODE = -10;
export const E_EMPTY_LIST = -11;
export const E_EMPTY_TOPIC = -12;
export const E_DUP_QOS0 = -13;
export const E_PASSWORD_WITHOUT_USERNAME = -14;
export const E_KEEP_ALIVE = -15;
export const E_SUBSCRIPTION_OPTIONS = -16;
export const E_MALFORMED_PROPERTIES = -17;
export const E_SESSION_PRESENT = -18;
export const E_OUT_OF_BOUNDS = -19;

/** Field ids reported in S_DETAIL with E_STRING_LENGTH / E_EMPTY_TOPIC (property ids are < 0x100). */
export const F_TOPIC: u32 = 0x101;
export const F_PAYLOAD: u32 = 0x102;
export const F_CLIENT_ID: u32 = 0x103;
export const F_WILL_TOPIC: u32 = 0x104;
export const F_WILL_PAYLOAD: u32 = 0x105;
export const F_USERNAME: u32 = 0x106;
export const F_PASSWORD: u32 = 0x107;
export const F_FILTER: u32 = 0x108;

/** MQTT 3.1.1 §2.2.3 / MQTT 5.0 §1.5.5: four varint bytes. */
export const MAX_REMAINING: u64 = 268435455;
export const MAX_U16: u32 = 65535;

const OUT_INITIAL: u32 = 16384;
const SCRATCH_INITIAL: u32 = 16384;
const TABLE_INITIAL_WORDS: u32 = 1024;

// Constant-initialised, so it does not depend on the start function having run.
let ready = false;
/** Write cursor in the out region. */
let pos: usize = 0;

/** State block word `i` (S_*). */
// @ts-ignore: decorator
@inline export function sget(i: i32): u32 { return load<u32>(STATE + (<usize>i << 2)); }
/** Sets state block word `i`. */
// @ts-ignore: decorator
@inline export function sset(i: i32, v: u32): void { store<u32>(STATE + (<usize>i << 2), v); }

/** Allocates the regions on first use (lazily: the facade may not run the module's start function). */
export function init(): void {
  if (ready) return;
  ready = true;
  sset(S_OUT, <u32>heap.alloc(OUT_INITIAL));
  sset(S_OUT_CAP, OUT_INITIAL);
  sset(S_SCRATCH, <u32>heap.alloc(SCRATCH_INITIAL));
  sset(S_SCRATCH_CAP, SCRATCH_INITIAL);
  sset(S_TABLE, <u32>heap.alloc(TABLE_INITIAL_WORDS << 2));
  sset(S_TABLE_CAP, TABLE_INITIAL_WORDS);
}

/** Doubles `cap` until it holds `need`. */
function grown(cap: u32, need: u32): u32 {
  let c = cap;
  while (c < need) c = c << 1;
  return c;
}

/** Makes the scratch region hold `bytes`, keeping its contents (the facade may be mid-packet). */
export function reserveScratch(bytes: u32): void {
  init();
  const cap = sget(S_SCRATCH_CAP);
  if (bytes <= cap) return;
  const want = grown(cap, bytes);
  const fresh = heap.alloc(want);
  memory.copy(fresh, <usize>sget(S_SCRATCH), cap);
  sset(S_SCRATCH, <u32>fresh);
  sset(S_SCRATCH_CAP, want);
}

/** Makes the table hold `words`, keeping its contents. */
export function reserveTable(words: u32): void {
  init();
  const cap = sget(S_TABLE_CAP);
  if (words <= cap) return;
  const want = grown(cap, words);
  const fresh = heap.alloc(<usize>want << 2);
  memory.copy(fresh, <usize>sget(S_TABLE), <usize>cap << 2);
  sset(S_TABLE, <u32>fresh);
  sset(S_TABLE_CAP, want);
}

/** Table word `i` of the header. */
// @ts-ignore: decorator
@inline export function tget(i: i32): u32 { return load<u32>(<usize>sget(S_TABLE) + (<usize>i << 2)); }

/** Word `k` (0..3) of table entry `e`. */
// @ts-ignore: decorator
@inline export function eget(e: u32, k: u32): u32 {
  return load<u32>(<usize>sget(S_TABLE) + ((<usize>T_ENTRIES + (<usize>e << 2) + <usize>k) << 2));
}

/** Absolute address of a scratch-relative offset. */
// @ts-ignore: decorator
@inline export function scratchAt(off: u32): usize { return <usize>sget(S_SCRATCH) + <usize>off; }

/** Records what an error is about (read by the facade from S_DETAIL), and passes the code through. */
export function fail(code: i32, detail: u32): i32 {
  sset(S_DETAIL, detail);
  return code;
}

/** True when [ptr, ptr + len) lies inside memory (publishFrom takes addresses from its caller). */
export function inMemory(ptr: usize, len: u32): bool {
  return <u64>ptr + <u64>len <= (<u64>memory.size() << 16);
}

/** Bytes taken by `n` as a variable byte integer (n ≤ 268,435,455). */
export function varintSize(n: u32): u32 {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}

/**
 * Starts a packet: checks the remaining length, makes the out region big enough for all but the
 * last `unwritten` bytes (a header-only PUBLISH leaves its payload to the caller; the region is
 * fresh, contents are not kept: nothing is written yet), writes the fixed header. Returns the
 * whole packet's length or E_TOO_LARGE.
 */
export function begin(first: u32, remaining: u64, unwritten: u32 = 0): i32 {
  if (remaining > MAX_REMAINING) return fail(E_TOO_LARGE, 0); // [MQTT-1.5.5] / §2.2.3
  const rem = <u32>remaining;
  const total: u32 = 1 + varintSize(rem) + rem;
  const need = total - unwritten;
  let cap = sget(S_OUT_CAP);
  if (need > cap) {
    cap = grown(cap, need);
    sset(S_OUT, <u32>heap.alloc(cap));
    sset(S_OUT_CAP, cap);
  }
  pos = <usize>sget(S_OUT);
  putU8(first);
  putVarint(rem);
  return <i32>total;
}

/** One byte at the cursor. */
// @ts-ignore: decorator
@inline export function putU8(v: u32): void {
  store<u8>(pos, <u8>v);
  pos += 1;
}

/** Big-endian two byte integer (MQTT 5.0 §1.5.2). */
// @ts-ignore: decorator
@inline export function putU16(v: u32): void {
  store<u8>(pos, <u8>(v >> 8));
  store<u8>(pos, <u8>v, 1);
  pos += 2;
}

/** Big-endian four byte integer. */
export function putU32(v: u32): void {
  store<u32>(pos, bswap<u32>(v));
  pos += 4;
}

/** Variable byte integer, 7 bits per byte, low group first (MQTT 5.0 §1.5.5). */
export function putVarint(v: u32): void {
  let n = v;
  do {
    let b = n & 0x7f;
    n = n >> 7;
    if (n > 0) b |= 0x80;
    store<u8>(pos, <u8>b);
    pos += 1;
  } while (n > 0);
}

/** Copies `len` bytes from absolute address `src`. */
export function putBytes(src: usize, len: u32): void {
  memory.copy(pos, src, <usize>len);
  pos += <usize>len;
}

/** A UTF-8 string or binary field: two-byte length, then the bytes (MQTT 5.0 §1.5.4, §1.5.6). */
export function putPrefixed(src: usize, len: u32): void {
  putU16(len);
  putBytes(src, len);
}

/** The scratch string whose offset/length pair starts at header word `t`, length-prefixed. */
export function putField(t: i32): void {
  putPrefixed(scratchAt(tget(t)), tget(t + 1));
}
