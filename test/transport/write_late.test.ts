/**
 * writeLate(): acknowledgements flushed after the current batch of I/O events, behind the
 * deliveries written meanwhile, without ever reordering one connection's bytes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Flushable, scheduleFlush, scheduleLateFlush } from "../../src/transport/flush_queue.ts";
import { transportStats } from "../../src/transport/index.ts";
import { dial, readAll, readBytes, Recorder, startServer } from "./harness.ts";

/** A Flushable that records the order of its flushes in `log`. */
function probe(name: string, log: string[]): Flushable {
  return { flushQueued: false, lateQueued: false, flush: () => void log.push(name) };
}

const nextImmediate = () => new Promise<void>((r) => setImmediate(r));

test("flush queue: late flushes run after every flush of the same tick, once each", async () => {
  const log: string[] = [];
  const ack = probe("ack", log), delivery = probe("delivery", log);
  scheduleLateFlush(ack);
  scheduleLateFlush(ack); // queued once
  scheduleFlush(delivery);
  await Promise.resolve();
  assert.deepEqual(log, ["delivery"], "the microtask flush does not wait for the late one");
  await nextImmediate();
  assert.deepEqual(log, ["delivery", "ack"]);
  assert.equal(ack.lateQueued, false);
});

test("flush queue: a connection already queued for the microtask flush is not queued late too", async () => {
  const log: string[] = [];
  const c = probe("c", log);
  scheduleFlush(c);
  scheduleLateFlush(c); // its bytes leave with the microtask flush
  await nextImmediate();
  assert.deepEqual(log, ["c"]);
  assert.equal(c.lateQueued, false);
});

test("transport: writeLate then write in one tick keep their order and leave in one socket write", async () => {
  const rec = new Recorder();
  let before = 0;
  rec.onDataHook = (c) => {
    before = transportStats.socketWrites;
    c.writeLate(Uint8Array.of(0x40, 2, 0, 1)); // an ack...
    c.write(Uint8Array.of(0x30, 3, 0, 1, 0x61)); // ...then a delivery to the same client
    c.writeLate(Uint8Array.of(0x40, 2, 0, 2));
  };
  const listener = await startServer(rec);
  try {
    const s = await dial(listener.port);
    s.write("x");
    const got = await readBytes(s, 13);
    assert.deepEqual([...got], [0x40, 2, 0, 1, 0x30, 3, 0, 1, 0x61, 0x40, 2, 0, 2]);
    assert.equal(transportStats.socketWrites - before, 1);
    s.destroy();
    await rec.waitClosed(1);
  } finally {
    await listener.close();
  }
});

test("transport: a late write alone is sent, and end() right after it sends it before closing", async () => {
  const rec = new Recorder();
  rec.onDataHook = (c, chunk) => {
    c.writeLate(chunk);
    if (chunk.includes(0x21)) c.end(); // "!" ends the conversation
  };
  const listener = await startServer(rec);
  try {
    const alone = await dial(listener.port);
    alone.write("ping");
    assert.equal(new TextDecoder().decode(await readBytes(alone, 4)), "ping");
    alone.destroy();
    const ending = await dial(listener.port);
    const all = readAll(ending);
    ending.write("bye!");
    assert.equal(new TextDecoder().decode(await all), "bye!");
    await rec.waitClosed(2);
  } finally {
    await listener.close();
  }
});
