import { test } from "node:test";
import assert from "node:assert/strict";
import { createTransport, transportStats } from "../../src/transport/index.ts";
import { dial, readAll, readBytes, Recorder, sleep, startServer, text } from "./harness.ts";

test("transport: listens on port 0 and echoes bytes; onClose once when the client closes", async () => {
  const rec = new Recorder();
  let address = "";
  rec.onDataHook = (c, chunk) => {
    address = c.remoteAddress; // while open: the runtime may not tell it after the close
    c.write(chunk);
  };
  const listener = await startServer(rec);
  try {
    assert.ok(listener.port > 0);
    assert.equal(listener.host, "127.0.0.1");
    const s = await dial(listener.port);
    s.write("hello vireo");
    assert.equal(text(await readBytes(s, 11)), "hello vireo");
    s.end();
    await rec.waitClosed(1);
    await sleep(20);
    assert.equal(rec.opened.length, 1);
    assert.equal(rec.closes.get(rec.opened[0].id), 1);
    assert.equal(address.endsWith("127.0.0.1"), true);
    s.destroy();
  } finally {
    await listener.close();
  }
});

test("transport: writeWith writes in place, in order with write(), across batch growth; nothing after end()", async () => {
  const rec = new Recorder();
  let lengths: number[] = [];
  rec.onDataHook = (c) => {
    // 3000 packets of 1..60 bytes, filled in place, interleaved with copied ones: the batch grows
    // past its first 16 KiB while writers are given the room they promised and report less.
    let k = 0;
    const writer = {
      writeInto(out: Uint8Array, offset: number): number {
        const n = 1 + (k % 60);
        out.fill(k & 0xff, offset, offset + n);
        return n;
      },
    };
    for (; k < 3000; k++) {
      if (k % 3 === 0) c.write(new Uint8Array(1 + (k % 60)).fill(k & 0xff));
      else c.writeWith(64, writer);
    }
    lengths = Array.from({ length: 3000 }, (_, i) => 1 + (i % 60));
    assert.equal(c.bufferedAmount, lengths.reduce((a, b) => a + b, 0));
    c.end();
    c.writeWith(64, writer); // after end(): ignored
  };
  const listener = await startServer(rec);
  try {
    const s = await dial(listener.port);
    s.write("x");
    const got = await readAll(s);
    assert.equal(got.length, lengths.reduce((a, b) => a + b, 0));
    let o = 0;
    for (let i = 0; i < 3000; i++) {
      for (let j = 0; j < lengths[i]; j++) assert.equal(got[o + j], i & 0xff, `packet ${i} byte ${j}`);
      o += lengths[i];
    }
    s.destroy();
  } finally {
    await listener.close();
  }
});

test("transport: many writes in one tick leave as one socket write", async () => {
  const rec = new Recorder();
  let before = 0;
  rec.onDataHook = (c) => {
    before = transportStats.socketWrites;
    // Simulates a fan-out: the caller reuses one scratch buffer, so write() must copy.
    const scratch = new Uint8Array(10);
    for (let i = 0; i < 100; i++) {
      scratch.fill(i);
      c.write(scratch);
    }
    assert.equal(c.bufferedAmount, 1000);
  };
  const listener = await startServer(rec);
  try {
    const s = await dial(listener.port);
    s.write("x");
    const got = await readBytes(s, 1000);
    assert.equal(got.length, 1000);
    for (let i = 0; i < 100; i++) assert.equal(got[i * 10 + 9], i);
    assert.equal(transportStats.socketWrites - before, 1);
    assert.equal(rec.opened[0].bufferedAmount, 0);
    s.destroy();
    await rec.waitClosed(1);
  } finally {
    await listener.close();
  }
});

test("transport: destroy() drops queued bytes and fires onClose exactly once", async () => {
  const rec = new Recorder();
  let closedDuringDestroy = false;
  rec.onOpenHook = (c) => {
    c.write(new Uint8Array(100));
    c.destroy();
    closedDuringDestroy = rec.closes.size > 0;
    c.destroy();
    c.end();
  };
  const listener = await startServer(rec);
  try {
    const s = await dial(listener.port);
    const got = await readAll(s);
    assert.equal(got.length, 0);
    await rec.waitClosed(1);
    await sleep(30);
    assert.equal(closedDuringDestroy, false, "onClose must not run inside destroy()");
    assert.equal(rec.closes.get(rec.opened[0].id), 1);
    assert.equal(rec.errors[0], undefined);
  } finally {
    await listener.close();
  }
});

test("transport: pause() holds onData until resume()", async () => {
  const rec = new Recorder();
  rec.onOpenHook = (c) => c.pause();
  const listener = await startServer(rec);
  try {
    const s = await dial(listener.port);
    await sleep(20);
    s.write("queued while paused");
    await sleep(100);
    assert.equal(rec.received, 0);
    rec.opened[0].resume();
    for (let i = 0; i < 100 && rec.received < 19; i++) await sleep(10);
    assert.equal(rec.received, 19);
    s.destroy();
    await rec.waitClosed(1);
  } finally {
    await listener.close();
  }
});

test("transport: listener close() ends live connections and stops accepting", async () => {
  const rec = new Recorder();
  rec.onOpenHook = (c) => c.write(new TextEncoder().encode("welcome"));
  const listener = await startServer(rec);
  const a = await dial(listener.port);
  const b = await dial(listener.port);
  const gotA = readAll(a), gotB = readAll(b);
  while (rec.opened.length < 2) await sleep(5);
  rec.opened[0].write(new TextEncoder().encode(" bye"));
  await listener.close();
  assert.equal(text(await gotA).length > 0, true);
  assert.deepEqual([...rec.closes.values()], [1, 1]);
  await assert.rejects(dial(listener.port));
  await listener.close(); // idempotent
});

test("transport: connection ids are unique", async () => {
  const rec = new Recorder();
  const listener = await startServer(rec);
  try {
    const socks = await Promise.all([1, 2, 3].map(() => dial(listener.port)));
    while (rec.opened.length < 3) await sleep(5);
    assert.equal(new Set(rec.opened.map((c) => c.id)).size, 3);
    for (const s of socks) s.destroy();
    await rec.waitClosed(3);
  } finally {
    await listener.close();
  }
});

test("transport: listening on a taken port rejects", async () => {
  const rec = new Recorder();
  const listener = await startServer(rec);
  try {
    await assert.rejects(createTransport().listen({ host: "127.0.0.1", port: listener.port }, rec));
  } finally {
    await listener.close();
  }
});

test("transport: a peer reset reports onClose once, with an error", async () => {
  const rec = new Recorder();
  rec.onDataHook = (c) => c.write(new Uint8Array(10));
  const listener = await startServer(rec);
  try {
    const s = await dial(listener.port);
    s.on("error", () => {});
    s.write("x");
    await readBytes(s, 10);
    (s as unknown as { resetAndDestroy(): void }).resetAndDestroy(); // RST instead of FIN
    await rec.waitClosed(1);
    await sleep(20);
    assert.equal(rec.closes.get(rec.opened[0].id), 1);
    assert.ok(rec.errors[0] instanceof Error, `expected an error, got ${rec.errors[0]}`);
  } finally {
    await listener.close();
  }
});
