import { test } from "node:test";
import assert from "node:assert/strict";
import { BATCH_INITIAL_BYTES, WriteBatch } from "../../src/transport/write_batch.ts";

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

test("write batch: recycled batches come back empty from take(); a grown one returns without its big buffer", () => {
  const a = WriteBatch.take();
  a.push(new Uint8Array([1, 2, 3]));
  const pooled = WriteBatch.pooled;
  a.recycle();
  assert.equal(WriteBatch.pooled, pooled + 1);
  const b = WriteBatch.take();
  assert.equal(b, a, "the pool hands back the batch just recycled");
  assert.equal(b.length, 0);
  assert.equal(b.view().length, 0);
  b.push(new Uint8Array(BATCH_INITIAL_BYTES * 3).fill(7)); // grows past the pooled size
  assert.equal(b.length, BATCH_INITIAL_BYTES * 3);
  b.recycle();
  const c = WriteBatch.take();
  assert.equal(c.length, 0);
  c.push(new Uint8Array([5]));
  assert.deepEqual([...c.view()], [5]);
  c.recycle();
});
