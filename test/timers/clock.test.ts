import { test } from "node:test";
import assert from "node:assert/strict";
import { Clock, Ticker } from "../../src/timers/clock.ts";

test("clock: now() is cached until refresh()", () => {
  let t = 5;
  const clock = new Clock(() => t);
  t = 10;
  assert.equal(clock.now(), 5);
  assert.equal(clock.refresh(), 10);
  assert.equal(clock.now(), 10);
});

test("clock: a wall-clock step backwards counts as no time, then time runs on", () => {
  let t = 1_000_000;
  const clock = new Clock(() => t);
  t += 500;
  assert.equal(clock.refresh(), 1_000_500);
  t -= 3_600_000; // NTP steps back an hour
  assert.equal(clock.refresh(), 1_000_500);
  t += 100;
  assert.equal(clock.refresh(), 1_000_600);
});

test("ticker: one failing target does not starve the others", () => {
  let t = 0;
  const ticker = new Ticker({ tickMs: 100, clock: new Clock(() => t) });
  const seen: number[] = [];
  ticker.add({ advance: () => { throw new Error("bad wheel"); } });
  ticker.add({ advance: (now) => seen.push(now) });
  t = 100;
  assert.throws(() => ticker.tick(), /bad wheel/);
  assert.deepEqual(seen, [100]);
});

test("ticker: start() with a real interval is unref'd and stops cleanly", async () => {
  let ticks = 0;
  const ticker = new Ticker({ tickMs: 5, clock: new Clock() });
  ticker.add({ advance: () => ticks++ });
  ticker.start();
  await new Promise((r) => setTimeout(r, 40));
  ticker.stop();
  const after = ticks;
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(after > 0);
  assert.equal(ticks, after);
  assert.throws(() => new Ticker({ tickMs: -1, clock: new Clock() }), RangeError);
});
