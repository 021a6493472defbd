import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { type KeepAliveNode, KeepAliveMonitor } from "../../src/timers/keep_alive.ts";
import { WHEEL_IDLE } from "../../src/timers/node_wheel.ts";
import { Clock, Ticker } from "../../src/timers/clock.ts";

/** A watched connection: the monitor keeps its state on the object itself. */
interface Conn extends KeepAliveNode {
  id: number;
}

/** Connection `id` (the same object for the same id within a harness). */
function conn(h: { conns: Map<number, Conn> }, id: number): Conn {
  let c = h.conns.get(id);
  if (c === undefined) {
    c = { id, lastSeen: 0, timeoutMs: 0, wheelDue: 0, wheelSlot: WHEEL_IDLE, wheelPrev: null, wheelNext: null };
    h.conns.set(id, c);
  }
  return c;
}

/** A monitor on a hand-driven clock, advanced every `step` ms like the broker's tick. */
function harness() {
  const h = {
    t: 0, timeouts: [] as [number, number][], mon: undefined as unknown as KeepAliveMonitor<Conn>,
    conns: new Map<number, Conn>(),
  };
  h.mon = new KeepAliveMonitor<Conn>({ tickMs: 100, now: () => h.t, onTimeout: (c) => h.timeouts.push([c.id, h.t]) });
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
  h.mon.watch(conn(h, 7), 10);
  run(h, 14_999, 10);
  assert.equal(h.timeouts.length, 0);
  run(h, 200, 10);
  assert.equal(h.timeouts.length, 1);
  const [id, at] = h.timeouts[0];
  assert.equal(id, 7);
  assert.ok(at >= 12_345 + 15_000 && at < 12_345 + 15_100, `fired at ${at}`);
  assert.equal(h.mon.has(conn(h, 7)), false, "a timed-out connection is unwatched");
  run(h, 60_000);
  assert.equal(h.timeouts.length, 1, "fires once");
});

test("keep-alive: touch postpones the deadline (lazy re-arm)", () => {
  const h = harness();
  h.mon.watch(conn(h, 1), 2); // 3 s allowance
  for (let i = 0; i < 10; i++) {
    run(h, 2500);
    h.mon.touch(conn(h, 1));
  }
  assert.equal(h.timeouts.length, 0);
  const lastTouch = h.t;
  run(h, 3200);
  assert.equal(h.timeouts.length, 1);
  assert.ok(h.timeouts[0][1] - lastTouch >= 3000 && h.timeouts[0][1] - lastTouch < 3100);
});

test("keep-alive: 0 disables the mechanism; re-watching with 0 stops an existing watch", () => {
  const h = harness();
  h.mon.watch(conn(h, 1), 0);
  h.mon.watch(conn(h, 2), 1);
  h.mon.watch(conn(h, 2), 0);
  assert.equal(h.mon.size, 0);
  run(h, 100_000, 1000);
  assert.equal(h.timeouts.length, 0);
});

test("keep-alive: 65535 s is accepted and times out after 98302.5 s", () => {
  const h = harness();
  h.mon.watch(conn(h, 3), 65535);
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
  for (let id = 1; id <= 1000; id++) h.mon.watch(conn(h, id), 1 + (id % 5));
  for (let id = 1; id <= 1000; id += 2) h.mon.unwatch(conn(h, id));
  h.mon.unwatch(conn(h, 99_999)); // unknown id is fine
  h.mon.touch(conn(h, 99_999));
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
    const mon = new KeepAliveMonitor<Conn>({ now: () => clock.now(), onTimeout: () => timeouts.push(Date.now()) });
    const c = conn({ conns: new Map() }, 1);
    ticker.add(mon);
    ticker.add(mon);
    ticker.start();
    assert.equal(ticker.running, true);
    mon.watch(c, 1);
    mock.timers.tick(1400);
    assert.equal(clock.now(), 2_400);
    mon.touch(c); // cached clock: stamps 2400, so the deadline is 3900
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

test("keep-alive: watchMs allows exactly that much silence (the connect timeout uses it)", () => {
  const h = harness();
  h.t = 500;
  h.mon.watchMs(conn(h, 4), 300);
  assert.equal(h.mon.has(conn(h, 4)), true);
  run(h, 250, 10);
  assert.equal(h.timeouts.length, 0);
  run(h, 200, 10);
  assert.equal(h.timeouts.length, 1);
  assert.ok(h.timeouts[0][1] >= 800 && h.timeouts[0][1] < 900, `fired at ${h.timeouts[0][1]}`);
  // Re-watching with a keep-alive after the first deadline was armed replaces it (CONNECT arrived).
  h.mon.watchMs(conn(h, 5), 300);
  h.mon.watch(conn(h, 5), 10);
  run(h, 1000);
  assert.equal(h.timeouts.length, 1);
  assert.equal(h.mon.size, 1);
});

test("keep-alive: a node unwatched from another node's timeout callback does not fire", () => {
  const h = { t: 0, fired: [] as number[], conns: new Map<number, Conn>() };
  const mon: KeepAliveMonitor<Conn> = new KeepAliveMonitor<Conn>({
    tickMs: 100, now: () => h.t,
    onTimeout: (c) => {
      h.fired.push(c.id);
      mon.unwatch(conn(h, c.id === 1 ? 2 : 1)); // both are due in this advance
    },
  });
  mon.watch(conn(h, 1), 1);
  mon.watch(conn(h, 2), 1);
  h.t = 5000;
  mon.advance(h.t);
  assert.equal(h.fired.length, 1);
  assert.equal(mon.size, 0);
});
