import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { KeepAliveMonitor } from "../../src/timers/keep_alive.ts";
import { Clock, Ticker } from "../../src/timers/clock.ts";

/** A monitor on a hand-driven clock, advanced every `step` ms like the broker's tick. */
function harness() {
  const h = { t: 0, timeouts: [] as [number, number][], mon: undefined as unknown as KeepAliveMonitor };
  h.mon = new KeepAliveMonitor({ tickMs: 100, now: () => h.t, onTimeout: (id) => h.timeouts.push([id, h.t]) });
  return h;
}

function run(h: ReturnType<typeof harness>, ms: number, step = 100): void {
  const end = h.t + ms;
  while (h.t < end) {
    h.t = Math.min(h.t + step, end);
    h.mon.advance(h.t);
  }
}

test("keep-alive: times out at 1.5 x keep-alive, within one tick [MQTT-3.1.2-24]", () => {
  const h = harness();
  h.t = 12_345;
  h.mon.watch(7, 10);
  run(h, 14_999, 10);
  assert.equal(h.timeouts.length, 0);
  run(h, 200, 10);
  assert.equal(h.timeouts.length, 1);
  const [id, at] = h.timeouts[0];
  assert.equal(id, 7);
  assert.ok(at >= 12_345 + 15_000 && at < 12_345 + 15_100, `fired at ${at}`);
  assert.equal(h.mon.has(7), false, "a timed-out connection is unwatched");
  run(h, 60_000);
  assert.equal(h.timeouts.length, 1, "fires once");
});

test("keep-alive: touch postpones the deadline (lazy re-arm)", () => {
  const h = harness();
  h.mon.watch(1, 2); // 3 s allowance
  for (let i = 0; i < 10; i++) {
    run(h, 2500);
    h.mon.touch(1);
  }
  assert.equal(h.timeouts.length, 0);
  const lastTouch = h.t;
  run(h, 3200);
  assert.equal(h.timeouts.length, 1);
  assert.ok(h.timeouts[0][1] - lastTouch >= 3000 && h.timeouts[0][1] - lastTouch < 3100);
});

test("keep-alive: 0 disables the mechanism; re-watching with 0 stops an existing watch", () => {
  const h = harness();
  h.mon.watch(1, 0);
  h.mon.watch(2, 1);
  h.mon.watch(2, 0);
  assert.equal(h.mon.size, 0);
  run(h, 100_000, 1000);
  assert.equal(h.timeouts.length, 0);
});

test("keep-alive: 65535 s is accepted and times out after 98302.5 s", () => {
  const h = harness();
  h.mon.watch(3, 65535);
  run(h, 98_302_000, 60_000);
  h.t = 98_302_400;
  h.mon.advance(h.t);
  assert.equal(h.timeouts.length, 0);
  run(h, 200);
  assert.equal(h.timeouts.length, 1);
  assert.ok(h.timeouts[0][1] >= 98_302_500 && h.timeouts[0][1] < 98_302_600);
});

test("keep-alive: unwatch cancels; many connections time out independently", () => {
  const h = harness();
  for (let id = 1; id <= 1000; id++) h.mon.watch(id, 1 + (id % 5));
  for (let id = 1; id <= 1000; id += 2) h.mon.unwatch(id);
  h.mon.unwatch(99_999); // unknown id is fine
  h.mon.touch(99_999);
  run(h, 10_000);
  assert.equal(h.timeouts.length, 500);
  for (const [id, at] of h.timeouts) {
    assert.equal(id % 2, 0);
    const due = (1 + (id % 5)) * 1500;
    assert.ok(at >= due && at < due + 100, `id ${id} at ${at}, due ${due}`);
  }
});

test("keep-alive: a Ticker drives the clock and the monitor from one interval", () => {
  mock.timers.enable({ apis: ["setInterval", "Date"], now: 1_000 });
  try {
    const clock = new Clock();
    const ticker = new Ticker({ tickMs: 100, clock });
    const timeouts: number[] = [];
    const mon = new KeepAliveMonitor({ now: () => clock.now(), onTimeout: () => timeouts.push(Date.now()) });
    ticker.add(mon);
    ticker.add(mon);
    ticker.start();
    assert.equal(ticker.running, true);
    mon.watch(1, 1);
    mock.timers.tick(1400);
    assert.equal(clock.now(), 2_400);
    mon.touch(1); // cached clock: stamps 2400, so the deadline is 3900
    mock.timers.tick(1400);
    assert.equal(timeouts.length, 0);
    mock.timers.tick(100);
    assert.deepEqual(timeouts, [3_900]);
    ticker.remove(mon);
    ticker.stop();
    assert.equal(ticker.running, false);
  } finally {
    mock.timers.reset();
  }
});
