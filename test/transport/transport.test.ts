import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { createTransport, transportStats } from "../../src/transport/index.ts";
import type { Connection, ConnectionHandlers, Listener } from "../../src/transport/index.ts";

/** Records every callback so tests can assert on order and counts. */
class Recorder implements ConnectionHandlers {
  opened: Connection[] = [];
  closes = new Map<number, number>();
  errors: (Error | undefined)[] = [];
  drains = 0;
  received = 0;
  onOpenHook: (c: Connection) => void = () => {};
  onDataHook: (c: Connection, chunk: Uint8Array) => void = () => {};
  private closeWaiters: (() => void)[] = [];
  onOpen(c: Connection): void {
    this.opened.push(c);
    this.onOpenHook(c);
  }
  onData(c: Connection, chunk: Uint8Array): void {
    this.received += chunk.length;
    this.onDataHook(c, chunk);
  }
  onClose(c: Connection, error?: Error): void {
    this.closes.set(c.id, (this.closes.get(c.id) ?? 0) + 1);
    this.errors.push(error);
    for (const w of this.closeWaiters.splice(0)) w();
  }
  onDrain(): void {
    this.drains++;
  }
  async waitClosed(n: number): Promise<void> {
    while (this.closes.size < n) await new Promise<void>((r) => this.closeWaiters.push(r));
  }
}

async function startServer(rec: Recorder, endTimeoutMs?: number): Promise<Listener> {
  return createTransport().listen({ host: "127.0.0.1", port: 0, endTimeoutMs }, rec);
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

/** Collects everything the server sends until it closes the connection. */
function readAll(s: Socket): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  return new Promise((resolve) => {
    s.on("data", (d: Uint8Array) => parts.push(new Uint8Array(d)));
    s.on("close", () => resolve(concat(parts)));
  });
}

function readBytes(s: Socket, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let got = 0;
  return new Promise((resolve) => {
    const onData = (d: Uint8Array) => {
      parts.push(new Uint8Array(d));
      got += d.length;
      if (got >= n) {
        s.off("data", onData);
        resolve(concat(parts));
      }
    };
    s.on("data", onData);
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

test("transport: listens on port 0 and echoes bytes; onClose once when the client closes", async () => {
  const rec = new Recorder();
  rec.onDataHook = (c, chunk) => c.write(chunk);
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
    assert.equal(rec.opened[0].remoteAddress.endsWith("127.0.0.1"), true);
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

test("transport: listening on a taken port rejects", async () => {
  const rec = new Recorder();
  const listener = await startServer(rec);
  try {
    await assert.rejects(createTransport().listen({ host: "127.0.0.1", port: listener.port }, rec));
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
