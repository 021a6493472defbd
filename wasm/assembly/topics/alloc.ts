// Block allocator for the topic module: it owns the heap (from __heap_base; `heap.alloc` of the stub
// runtime is never called, since the stub doubles memory on growth and cannot free). Nodes, tables
// and buffers are recycled through one free list per size class, so subscribe/unsubscribe churn
// reuses blocks instead of growing memory. Classes step by 16 bytes up to 256 (nodes are 32 bytes +
// token: little waste), then by powers of two. Memory grows by what is needed plus 1/8.

/** Small blocks are carved from chunks of this size; bigger ones come straight from the heap top. */
const CHUNK: usize = 1 << 18;
const BIG: usize = 1 << 16;
const STEP_CLASSES: u32 = 16; // classes 1..16: 16..256 bytes; class 16 + k: 256 << k bytes

/** One free-list head per size class. */
const FREE_HEADS: usize = memory.data(48 * 4);

let bump: usize = 0;
let bumpEnd: usize = 0;
let heapTop: usize = (__heap_base + 15) & ~15;

/** Takes `bytes` (a multiple of 16) from the top of the heap, growing memory when needed. */
function heapTake(bytes: usize): usize {
  const p = heapTop;
  const end = p + bytes;
  const size = <usize>memory.size() << 16;
  if (end > size) {
    const need = <i32>((end - size + 0xffff) >>> 16);
    const slack = memory.size() >>> 3;
    if (memory.grow(need + slack) < 0 && memory.grow(need) < 0) unreachable(); // out of memory
  }
  heapTop = end;
  return p;
}
/** Bytes handed out and not yet returned (by size class), for memory figures. */
let liveBytes: u64 = 0;
/** Bytes obtained from the heap (chunks and big blocks). */
let reservedBytes: u64 = 0;

// Blocks stay 16-aligned and hold at least a free-list link.
// @ts-ignore: decorator
@inline function classOf(size: usize): u32 {
  if (size <= 256) return size <= 16 ? 1 : (<u32>size + 15) >>> 4;
  return STEP_CLASSES + (32 - <u32>clz(<u32>size - 1)) - 8;
}

// @ts-ignore: decorator
@inline function classBytes(c: u32): usize {
  return c <= STEP_CLASSES ? <usize>c << 4 : <usize>256 << (c - STEP_CLASSES);
}

/** A block of at least `size` bytes (contents undefined). Freed with `freeBlock(ptr, size)`. */
export function allocBlock(size: usize): usize {
  const c = classOf(size);
  const headAt = FREE_HEADS + (<usize>c << 2);
  const head = <usize>load<u32>(headAt);
  const bytes = classBytes(c);
  liveBytes += bytes;
  if (head != 0) {
    store<u32>(headAt, load<u32>(head));
    return head;
  }
  if (bytes >= BIG) {
    reservedBytes += bytes;
    return heapTake(bytes);
  }
  if (bump + bytes > bumpEnd) {
    // The tail of the old chunk (< 64 KiB) goes to the free lists in 16-byte-class pieces.
    while (bumpEnd - bump >= 16) {
      const piece = min<usize>(bumpEnd - bump, 256);
      const c = classOf(piece);
      const b = classBytes(c) > piece ? classBytes(c - 1) : classBytes(c);
      liveBytes += b;
      freeBlock(bump, b);
      bump += b;
    }
    bump = heapTake(CHUNK);
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
  liveBytes -= <u64>classBytes(c);
}

/** Bytes currently in use by the tries and tables. */
export function allocLiveBytes(): f64 { return <f64>liveBytes; }

/** Bytes taken from the heap by this allocator (never returned: recycled through free lists). */
export function allocReservedBytes(): f64 { return <f64>reservedBytes; }

/** A buffer (input, level tables, output tables): recycled like blocks, not counted as trie bytes. */
export function bufferAlloc(size: usize): usize {
  const p = allocBlock(size);
  liveBytes -= <u64>classBytes(classOf(size));
  return p;
}

/** Returns a buffer obtained with `bufferAlloc(size)`. */
export function bufferFree(ptr: usize, size: usize): void {
  liveBytes += <u64>classBytes(classOf(size));
  freeBlock(ptr, size);
}
