/**
 * Per-connection outgoing byte batch shared by the Bun and Deno adapters.
 *
 * Callers hand us views on WASM memory that the next encode overwrites, so bytes are copied at
 * write() time. A connection holds a batch only while it has bytes in flight: it takes one on its
 * first write of a tick and recycles it once the kernel took everything, so idle connections hold
 * no batch and no buffer.
 *
 * Buffers live in a global pool by size class (16 KiB doubling up to BUFFER_POOL_MAX_CLASS_BYTES),
 * bounded in total bytes. A batch that outgrows its buffer takes the smallest pooled buffer that
 * fits and returns the old one, so a connection that writes a megabyte every busy tick reuses the
 * same large buffer instead of re-growing (allocating and copying) from 16 KiB each time, and the
 * steady-state write path allocates nothing.
 */

import type { BatchWriter } from "./types.ts";

/** Smallest buffer size (size class 0); classes double from here. */
export const BATCH_INITIAL_BYTES = 16 * 1024;
/** Larger buffers are never pooled: a rare huge burst goes back to the garbage collector. */
export const BUFFER_POOL_MAX_CLASS_BYTES = 2 * 1024 * 1024;
/** Cap on pooled 16 KiB buffers (8 MiB): one per connection written to in a fan-out tick. */
const SMALL_POOL_MAX = 512;
/** Cap on the bytes held by pooled buffers above 16 KiB (8 MiB: so at most 16 MiB in all). */
export const LARGE_POOL_MAX_BYTES = 8 * 1024 * 1024;
/** Cap on pooled buffers per class above 16 KiB: a few busy connections' worth. */
const LARGE_PER_CLASS = 4;
/** Cap on pooled batch objects (they hold no buffer; 3 fields each). */
const BATCH_POOL_MAX = 1024;

const CLASS_COUNT = Math.log2(BUFFER_POOL_MAX_CLASS_BYTES / BATCH_INITIAL_BYTES) + 1;
/** Free buffers per size class; `classes[k]` holds buffers of BATCH_INITIAL_BYTES << k bytes. */
const classes: Uint8Array[][] = Array.from({ length: CLASS_COUNT }, () => []);
let pooledBytes = 0;
/** Bytes of pooled buffers above 16 KiB. */
let largePooledBytes = 0;

/** Empty batches without a buffer. */
const pool: WriteBatch[] = [];

/** Counters for tests and diagnostics; plain numbers so incrementing costs nothing. */
export const transportStats = {
  /** Socket write calls issued by any adapter (one per flush, plus retries after partial writes). */
  socketWrites: 0,
  /** Bytes accepted by the kernel. */
  bytesWritten: 0,
  /** Batch buffers allocated because no pooled one fit (steady state: stops growing). */
  buffersAllocated: 0,
};

/** A growable FIFO of bytes with a consumed prefix (start) and a filled end. */
export class WriteBatch {
  private buf: Uint8Array | null = null;
  private start = 0;
  private end = 0;

  /** An empty batch from the pool, or a new one. Give it back with recycle(). */
  static take(): WriteBatch {
    return pool.pop() ?? new WriteBatch();
  }

  /** Free batches in the pool (for tests and diagnostics). */
  static get pooled(): number {
    return pool.length;
  }

  /** Bytes held by pooled buffers, and how many of each size (for tests and diagnostics). */
  static get pooledBuffers(): { bytes: number; counts: number[] } {
    return { bytes: pooledBytes, counts: classes.map((c) => c.length) };
  }

  /** Bytes queued and not yet consumed. */
  get length(): number {
    return this.end - this.start;
  }

  /** Size of the buffer held (0 when none): for tests and diagnostics. */
  get capacity(): number {
    return this.buf === null ? 0 : this.buf.length;
  }

  /** The buffer the queued bytes live in, from `offset` for `length` bytes (no view allocated). */
  get bytes(): Uint8Array {
    return this.buf ?? EMPTY;
  }

  /** Where the queued bytes start in `bytes`. */
  get offset(): number {
    return this.start;
  }

  /** Appends a copy of `bytes`. */
  push(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n === 0) return;
    let buf = this.buf;
    if (buf === null || this.end + n > buf.length) buf = this.makeRoom(n);
    buf.set(bytes, this.end);
    this.end += n;
  }

  /** Appends what `writer` writes (at most `maxBytes`) in place: no copy. */
  pushWith(maxBytes: number, writer: BatchWriter): void {
    let buf = this.buf;
    if (buf === null || this.end + maxBytes > buf.length) buf = this.makeRoom(maxBytes);
    this.end += writer.writeInto(buf, this.end);
  }

  /** The queued bytes as a view (valid until the next push/consume). */
  view(): Uint8Array {
    return this.buf === null ? EMPTY : this.buf.subarray(this.start, this.end);
  }

  /** Marks `n` bytes as written: moves the start, never the bytes. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.start = this.end = 0;
  }

  /** Drops everything queued (the buffer is kept for the next push). */
  clear(): void {
    this.start = this.end = 0;
  }

  /**
   * Empties the batch and gives it and its buffer back to their pools: the caller must drop its
   * reference. The runtime must be done with the buffer (no write in flight from it).
   */
  recycle(): void {
    this.start = this.end = 0;
    const buf = this.buf;
    if (buf !== null) {
      this.buf = null;
      releaseBuffer(buf);
    }
    if (pool.length < BATCH_POOL_MAX) pool.push(this);
  }

  /**
   * Compacts in place when the consumed prefix is at least a quarter of the buffer (so each byte
   * moved pays for a byte reclaimed, never a megabyte slide per small packet behind a blocked
   * socket), else moves to a larger buffer and returns the old one to the pool.
   */
  private makeRoom(extra: number): Uint8Array {
    const old = this.buf;
    const used = this.end - this.start;
    if (old === null) {
      const buf = takeBuffer(extra, false);
      this.buf = buf;
      this.start = this.end = 0;
      return buf;
    }
    if (used + extra <= old.length && this.start >= old.length >>> 2) {
      old.copyWithin(0, this.start, this.end);
    } else {
      const buf = takeBuffer(Math.max(used + extra, old.length * 2), true);
      buf.set(old.subarray(this.start, this.end));
      this.buf = buf;
      releaseBuffer(old);
    }
    this.start = 0;
    this.end = used;
    return this.buf!;
  }
}

const EMPTY = new Uint8Array(0);

/** Size class index of a buffer of exactly `size` bytes (a power-of-two multiple of 16 KiB). */
function classOf(size: number): number {
  return 31 - Math.clz32(size / BATCH_INITIAL_BYTES);
}

/**
 * A pooled buffer of the class that holds `need` bytes, else (when growing) the smallest larger
 * pooled one, else a new one. A first buffer never takes a large one: those wait for growers.
 */
function takeBuffer(need: number, growing: boolean): Uint8Array {
  let size = BATCH_INITIAL_BYTES;
  while (size < need) size *= 2;
  const last = growing ? CLASS_COUNT : Math.min(classOf(size) + 1, CLASS_COUNT);
  for (let k = size <= BUFFER_POOL_MAX_CLASS_BYTES ? classOf(size) : CLASS_COUNT; k < last; k++) {
    const buf = classes[k].pop();
    if (buf !== undefined) {
      pooledBytes -= buf.length;
      if (k > 0) largePooledBytes -= buf.length;
      return buf;
    }
  }
  transportStats.buffersAllocated++;
  return new Uint8Array(size);
}

/** Pools `buf` if its class has room and the total stays bounded; else leaves it to the GC. */
function releaseBuffer(buf: Uint8Array): void {
  const size = buf.length;
  if (size === BATCH_INITIAL_BYTES) {
    if (classes[0].length < SMALL_POOL_MAX) {
      classes[0].push(buf);
      pooledBytes += size;
    }
    return;
  }
  if (size > BUFFER_POOL_MAX_CLASS_BYTES || largePooledBytes + size > LARGE_POOL_MAX_BYTES) return;
  const list = classes[classOf(size)];
  if (list.length >= LARGE_PER_CLASS) return;
  list.push(buf);
  pooledBytes += size;
  largePooledBytes += size;
}
