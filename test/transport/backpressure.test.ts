// Large writes, partial writes and drain, slow readers, and many concurrent clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dial, readAll, readBytes, Recorder, sleep, startServer, text } from "./harness.ts";

test("transport: an 8 MiB write is fully delivered, in order, then end() closes", async () => {
  const size = 8 * 1024 * 1024;
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + (i >>> 13)) & 0xff;
  const rec = new Recorder();
  rec.onOpenHook = (c) => {
    c.write(payload.subarray(0, size / 2));
    c.write(payload.subarray(size / 2));
    c.end();
    c.write(new Uint8Array([1, 2, 3])); // ignored after end()
  };
  const listener = await startServer(rec);
  try {
    const s = await dial(listener.port);
    const got = await readAll(s);
    assert.equal(got.length, size);
    assert.ok(got.every((b, i) => b === payload[i]), "payload corrupted");
    await rec.waitClosed(1);
    assert.equal(rec.errors[0], undefined);
  } finally {
    await listener.close();
  }
});

test("transport: onDrain fires after backpressure and bufferedAmount returns to 0", async () => {
  const size = 8 * 1024 * 1024;
  const rec = new Recorder();
  let peak = 0;
  rec.onOpenHook = (c) => {
    c.write(new Uint8Array(size));
    setTimeout(() => {
      c.write(new Uint8Array(1024)); // queued behind the big write
      peak = c.bufferedAmount;
    }, 0);
  };
  const listener = await startServer(rec);
  try {
    const s = await dial(listener.port);
    await sleep(30); // let the kernel buffers fill before reading
    const got = await readBytes(s, size + 1024);
    assert.equal(got.length, size + 1024);
    for (let i = 0; i < 100 && rec.drains === 0; i++) await sleep(10);
    assert.ok(peak > 1024, `expected a backlog, saw ${peak}`);
    assert.ok(rec.drains >= 1);
    assert.equal(rec.opened[0].bufferedAmount, 0);
    s.destroy();
    await rec.waitClosed(1);
  } finally {
    await listener.close();
  }
});

test("transport: end() to a peer that stops reading is destroyed after endTimeoutMs; input after end() is dropped", async () => {
  const rec = new Recorder();
  rec.onDataHook = (c) => {
    c.write(new Uint8Array(64 * 1024 * 1024)); // far more than socket buffers hold
    c.end();
  };
  const listener = await startServer(rec, 200);
  try {
    const s = await dial(listener.port);
    s.on("error", () => {}); // the reset at destroy is expected
    s.pause(); // never read
    s.write("go");
    while (rec.received === 0) await sleep(5);
    s.write("ignored after end");
    const t0 = Date.now();
    await rec.waitClosed(1);
    const took = Date.now() - t0;
    assert.ok(took < 2000, `closed after ${took} ms`);
    assert.equal(rec.received, 2);
    assert.equal(rec.errors[0], undefined);
    s.destroy();
  } finally {
    await listener.close();
  }
});

test("transport: 50 clients x 200 echoed messages arrive intact and in order", async () => {
  const rec = new Recorder();
  const scratch = new Uint8Array(64 * 1024);
  rec.onDataHook = (c, chunk) => {
    // Echo through a reused scratch buffer, like encode output in WASM memory.
    scratch.set(chunk);
    c.write(scratch.subarray(0, chunk.length));
    scratch.fill(0, 0, chunk.length);
  };
  const listener = await startServer(rec);
  try {
    const clients = await Promise.all(Array.from({ length: 50 }, () => dial(listener.port)));
    await Promise.all(clients.map(async (s, k) => {
      let expected = "";
      for (let i = 0; i < 200; i++) {
        const msg = `c${k}m${i};`;
        expected += msg;
        s.write(msg);
      }
      const got = await readBytes(s, expected.length);
      assert.equal(text(got), expected);
      s.end();
    }));
    await rec.waitClosed(50);
  } finally {
    await listener.close();
  }
});
