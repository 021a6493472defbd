// Block allocator for the topic tries. The runtime is `--runtime stub` (a bump allocator that never
// frees), so nodes, child tables and subscriber tables are recycled here through one free list per
// power-of-two size class: subscribe/unsubscribe churn reuses blocks instead of growing memory.

/** Small blocks are carved from chunks of this size; bigger ones come straight from the heap. */
const CHUNK: usize = 1 << 20;
const BIG: usize = 1 << 16;
const MIN_CLASS: u32 = 4; // 16 bytes: a free block stores its next pointer, blocks stay 16-aligned

/** One free-list head per size class (2^class bytes). */
const FREE_HEADS: usize = memory.data(32 * 4);

let bump: usize = 0;
let bumpEnd: usize = 0;
/** Bytes handed out and not yet returned (by size class), for memory figures. */
let liveBytes: u64 = 0;
/** Bytes obtained from the heap (chunks and big blocks). */
let reservedBytes: u64 = 0;

// @ts-ignore: decorator
@inline function classOf(size: usize): u32 {
  return size <= 16 ? MIN_CLASS : 32 - <u32>clz(<u32>size - 1);
}

/** A block of at least `size` bytes (contents undefined). Freed with `freeBlock(ptr, size)`. */
export function allocBlock(size: usize): usize {
  const c = classOf(size);
  const headAt = FREE_HEADS + (<usize>c << 2);
  const head = <usize>load<u32>(headAt);
  const bytes: usize = <usize>1 << c;
  liveBytes += bytes;
  if (head != 0) {
    store<u32>(headAt, load<u32>(head));
    return head;
  }
  if (bytes >= BIG) {
    reservedBytes += bytes;
    return heap.alloc(bytes);
  }
  if (bump + bytes > bumpEnd) {
    // The tail of the old chunk (< 64 KiB of 1 MiB) is left unused.
    bump = heap.alloc(CHUNK);
    bumpEnd = bump + CHUNK;
    reservedBytes += CHUNK;
  }
  const p = bump;
  bump += bytes;
  return p;
}

/** Returns a block obtained with `allocBlock(size)` (the same `size`) to its free list. */
export function freeBlock(ptr: usize, size: usize): void {
  const c = classOf(size);
  const headAt = FREE_HEADS + (<usize>c << 2);
  store<u32>(ptr, load<u32>(headAt));
  store<u32>(headAt, <u32>ptr);
  liveBytes -= <u64>1 << c;
}

/** Bytes currently in use by the tries and tables. */
export function allocLiveBytes(): f64 { return <f64>liveBytes; }

/** Bytes taken from the heap by this allocator (never returned: recycled through free lists). */
export function allocReservedBytes(): f64 { return <f64>reservedBytes; }
