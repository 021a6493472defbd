/**
 * Per-connection outgoing byte batch shared by the Bun and Deno adapters.
 *
 * Callers hand us views on WASM memory that the next encode overwrites, so bytes are copied at
 * write() time. A connection holds a batch only while it has bytes in flight: it takes one from a
 * small free pool on its first write of a tick and recycles it (with its buffer) once the kernel
 * took everything, so idle connections hold no batch at all and the steady-state write path
 * allocates nothing.
 */

/** Size of pooled batch buffers; larger batches grow by doubling and are not pooled. */
export const BATCH_INITIAL_BYTES = 16 * 1024;
/** Cap on pooled batches so a burst of many busy connections does not pin memory forever. */
const POOL_MAX = 1024;

/** Empty batches, most still holding a BATCH_INITIAL_BYTES buffer. */
const pool: WriteBatch[] = [];

/** Counters for tests and diagnostics; plain numbers so incrementing costs nothing. */
export const transportStats = {
  /** Socket write calls issued by any adapter (one per flush, plus retries after partial writes). */
  socketWrites: 0,
  /** Bytes accepted by the kernel. */
  bytesWritten: 0,
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

  /** Bytes queued and not yet consumed. */
  get length(): number {
    return this.end - this.start;
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

  /** The queued bytes as a view (valid until the next push/consume). */
  view(): Uint8Array {
    return this.buf === null ? EMPTY : this.buf.subarray(this.start, this.end);
  }

  /** Marks `n` bytes as written. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.start = this.end = 0;
  }

  /** Drops everything queued (the buffer is kept for the next push). */
  clear(): void {
    this.start = this.end = 0;
  }

  /**
   * Empties the batch and gives it back to the pool: the caller must drop its reference. A buffer
   * grown past the pooled size goes with it (to the garbage collector), so one large message does
   * not stay pinned.
   */
  recycle(): void {
    this.start = this.end = 0;
    if (this.buf !== null && this.buf.length !== BATCH_INITIAL_BYTES) this.buf = null;
    if (pool.length < POOL_MAX) pool.push(this);
  }

  /** Compacts in place when that suffices, else moves to a buffer at least twice as large. */
  private makeRoom(extra: number): Uint8Array {
    const old = this.buf;
    const used = this.end - this.start;
    if (old === null) {
      const buf = new Uint8Array(grow(BATCH_INITIAL_BYTES, extra));
      this.buf = buf;
      this.start = this.end = 0;
      return buf;
    }
    if (used + extra <= old.length) {
      // Enough space overall: slide the unconsumed tail to the front instead of growing.
      old.copyWithin(0, this.start, this.end);
    } else {
      const buf = new Uint8Array(grow(old.length, used + extra));
      buf.set(old.subarray(this.start, this.end));
      this.buf = buf;
    }
    this.start = 0;
    this.end = used;
    return this.buf!;
  }
}

const EMPTY = new Uint8Array(0);

/** Doubles `size` until it holds `need` bytes. */
function grow(size: number, need: number): number {
  while (size < need) size *= 2;
  return size;
}
