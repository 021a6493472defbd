/**
 * Per-connection outgoing byte batch shared by the Bun and Deno adapters.
 *
 * Callers hand us views on WASM memory that the next encode overwrites, so bytes are copied at
 * write() time. Buffers come from a small free pool and go back once fully flushed, so only
 * connections with bytes in flight hold memory and the steady-state write path allocates nothing.
 */

/** Size of pooled batch buffers; larger batches grow by doubling and are not pooled. */
export const BATCH_INITIAL_BYTES = 16 * 1024;
/** Cap on pooled buffers so a burst of many connections does not pin memory forever. */
const POOL_MAX = 1024;

const pool: Uint8Array[] = [];

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

  /** Marks `n` bytes as written; releases the buffer to the pool once empty. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.clear();
  }

  /** Drops everything queued and releases the buffer. */
  clear(): void {
    const buf = this.buf;
    this.buf = null;
    this.start = this.end = 0;
    if (buf !== null && buf.length === BATCH_INITIAL_BYTES && pool.length < POOL_MAX) pool.push(buf);
  }

  /** Compacts in place when that suffices, else moves to a buffer at least twice as large. */
  private makeRoom(extra: number): Uint8Array {
    const old = this.buf;
    const used = this.end - this.start;
    if (old === null) {
      const buf = extra <= BATCH_INITIAL_BYTES ? (pool.pop() ?? new Uint8Array(BATCH_INITIAL_BYTES)) : new Uint8Array(grow(BATCH_INITIAL_BYTES, extra));
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
      if (old.length === BATCH_INITIAL_BYTES && pool.length < POOL_MAX) pool.push(old);
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
