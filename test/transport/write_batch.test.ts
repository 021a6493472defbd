import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BATCH_INITIAL_BYTES,
  BUFFER_POOL_MAX_CLASS_BYTES,
  LARGE_POOL_MAX_BYTES,
  transportStats,
  WriteBatch,
} from "../../src/transport/write_batch.ts";

/** Deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

test("write batch: random pushes and partial consumes match a naive byte queue", () => {
  const rand = rng(42);
  const batches = [new WriteBatch(), new WriteBatch()]; // two share the pool
  const models: number[][] = [[], []];
  let counter = 0;
  for (let step = 0; step < 5000; step++) {
    const which = rand() < 0.5 ? 0 : 1;
    const b = batches[which], model = models[which];
    if (rand() < 0.6) {
      // Mostly small packets, sometimes one larger than the pooled buffer.
      const len = rand() < 0.02 ? BATCH_INITIAL_BYTES + Math.floor(rand() * 40_000) : Math.floor(rand() * 300);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = counter++ & 0xff;
      b.push(bytes);
      bytes.fill(0); // callers reuse their buffers: the batch must have copied
      for (let i = 0; i < len; i++) model.push((counter - len + i) & 0xff);
    } else if (model.length > 0) {
      const n = rand() < 0.3 ? model.length : Math.floor(rand() * model.length) + 1;
      assert.deepEqual([...b.view().subarray(0, n)], model.slice(0, n), `step ${step}`);
      b.consume(n);
      model.splice(0, n);
    }
    assert.equal(b.length, model.length);
  }
  for (let k = 0; k < 2; k++) assert.deepEqual([...batches[k].view()], models[k]);
});

test("write batch: clear drops everything; an empty batch has an empty view", () => {
  const b = new WriteBatch();
  assert.equal(b.view().length, 0);
  b.push(new Uint8Array([1, 2, 3]));
  b.push(new Uint8Array(0));
  assert.equal(b.length, 3);
  b.clear();
  assert.equal(b.length, 0);
  assert.equal(b.view().length, 0);
  b.push(new Uint8Array([9]));
  assert.deepEqual([...b.view()], [9]);
});

test("write batch: recycled batches come back empty from take() and hold no buffer until written", () => {
  const a = WriteBatch.take();
  a.push(new Uint8Array([1, 2, 3]));
  const pooled = WriteBatch.pooled;
  a.recycle();
  assert.equal(a.capacity, 0, "a recycled batch (an idle connection's) holds no buffer");
  assert.equal(WriteBatch.pooled, pooled + 1);
  const b = WriteBatch.take();
  assert.equal(b, a, "the pool hands back the batch just recycled");
  assert.equal(b.length, 0);
  assert.equal(b.capacity, 0);
  assert.equal(b.view().length, 0);
  b.push(new Uint8Array([5]));
  assert.equal(b.capacity, BATCH_INITIAL_BYTES, "a first write takes a small buffer, never a pooled large one");
  assert.deepEqual([...b.view()], [5]);
  b.recycle();
});

test("write batch: a grown buffer goes back to the pool and the next busy batch grows into it", () => {
  const packet = new Uint8Array(300).fill(3);
  const fill = (b: WriteBatch, bytes: number) => {
    for (let n = 0; n < bytes; n += packet.length) b.push(packet);
  };
  const a = WriteBatch.take();
  fill(a, 600 * 1024);
  const big = a.bytes;
  assert.equal(big.length, 1024 * 1024);
  a.recycle();
  const allocated = transportStats.buffersAllocated;
  for (let tick = 0; tick < 5; tick++) {
    const b = WriteBatch.take();
    fill(b, 600 * 1024);
    assert.equal(b.bytes, big, `tick ${tick}: reuses the pooled 1 MiB buffer`);
    assert.equal(b.length % packet.length, 0);
    assert.ok(b.view().every((x) => x === 3));
    b.recycle();
  }
  assert.equal(transportStats.buffersAllocated, allocated, "busy ticks allocate no buffer");
});

test("write batch: pooled buffers stay bounded however many large batches are recycled", () => {
  const batches: WriteBatch[] = [];
  for (let i = 0; i < 40; i++) {
    const b = WriteBatch.take();
    b.push(new Uint8Array(BATCH_INITIAL_BYTES << (i % 9))); // 16 KiB .. 4 MiB
    batches.push(b);
  }
  for (let i = 0; i < 600; i++) {
    const b = WriteBatch.take();
    b.push(new Uint8Array(10));
    batches.push(b);
  }
  for (const b of batches) b.recycle();
  const { bytes, counts } = WriteBatch.pooledBuffers;
  assert.ok(bytes <= BATCH_INITIAL_BYTES * 512 + LARGE_POOL_MAX_BYTES, `pooled ${bytes} bytes`);
  assert.ok(counts[0] <= 512);
  assert.ok(counts.slice(1).every((n) => n <= 4), `counts ${counts}`);
  const large = counts.reduce((sum, n, k) => sum + (k === 0 ? 0 : n * (BATCH_INITIAL_BYTES << k)), 0);
  assert.ok(large <= LARGE_POOL_MAX_BYTES, `large pooled ${large} bytes`);
  assert.ok(BATCH_INITIAL_BYTES << (counts.length - 1) <= BUFFER_POOL_MAX_CLASS_BYTES);
});

test("write batch: random grow / partial write / recycle sequences across batches sharing the pool match a byte queue", () => {
  const rand = rng(7);
  const n = 4;
  const batches: (WriteBatch | null)[] = Array(n).fill(null);
  const models: number[][] = Array.from({ length: n }, () => []);
  let counter = 0;
  for (let step = 0; step < 6000; step++) {
    const k = Math.floor(rand() * n);
    const model = models[k];
    const r = rand();
    if (r < 0.55) {
      const big = rand() < 0.03;
      const len = big ? Math.floor(rand() * 300_000) : Math.floor(rand() * 400);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = (counter + i * 7) & 0xff;
      counter++;
      (batches[k] ??= WriteBatch.take()).push(bytes);
      bytes.fill(0xee); // the caller's buffer is reused: the batch copied
      for (let i = 0; i < len; i++) model.push((counter - 1 + i * 7) & 0xff);
    } else if (batches[k] !== null) {
      const b = batches[k]!;
      // A partial write: the socket takes some prefix, read through bytes/offset as Bun does.
      const take = model.length === 0 ? 0 : rand() < 0.3 ? model.length : Math.floor(rand() * model.length) + 1;
      const out = b.bytes.subarray(b.offset, b.offset + take);
      for (let i = 0; i < take; i++) if (out[i] !== model[i]) assert.fail(`step ${step}: byte ${i} of batch ${k}`);
      b.consume(take);
      model.splice(0, take);
      if (b.length === 0 && rand() < 0.7) {
        b.recycle(); // flushed: the connection lets go of batch and buffer
        batches[k] = null;
      }
    }
    assert.equal(batches[k]?.length ?? 0, model.length);
  }
  for (let k = 0; k < n; k++) assert.deepEqual([...(batches[k]?.view() ?? [])], models[k]);
  for (const b of batches) b?.recycle();
});
