import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { TimerWheel } from "../../src/timers/wheel.ts";
import { NodeWheel, WHEEL_IDLE, type WheelNode } from "../../src/timers/node_wheel.ts";

/** A wheel on a hand-driven clock that records what fired and when. */
function harness(tickMs = 100, slots?: number) {
  const h = { t: 1_000_000, fired: [] as [string, number][], wheel: undefined as unknown as TimerWheel<string> };
  h.wheel = new TimerWheel<string>({ tickMs, slots, now: () => h.t, onExpire: (k) => h.fired.push([k, h.t]) });
  return h;
}

/** Moves the fake clock forward in tick-sized steps, advancing the wheel each time (like start()). */
function run(h: ReturnType<typeof harness>, ms: number, step = 100): void {
  const end = h.t + ms;
  while (h.t < end) {
    h.t = Math.min(h.t + step, end);
    h.wheel.advance(h.t);
  }
}

test("wheel: fires each key within one tick after it is due", () => {
  const h = harness();
  const base = h.t;
  for (const d of [1, 99, 100, 150, 1234, 5000]) h.wheel.set(`k${d}`, base + d);
  assert.equal(h.wheel.size, 6);
  run(h, 6000, 37); // steps not aligned to slots
  assert.equal(h.fired.length, 6);
  for (const [k, at] of h.fired) {
    const due = base + Number(k.slice(1));
    assert.ok(at >= due && at - due < 100, `${k} fired at +${at - due}ms`);
  }
  assert.equal(h.wheel.size, 0);
});

test("wheel: a late advance fires everything due in due order", () => {
  const h = harness();
  const base = h.t;
  h.wheel.set("c", base + 900);
  h.wheel.set("a", base + 10);
  h.wheel.set("b", base + 450);
  h.wheel.set("later", base + 5000);
  h.t = base + 1000;
  h.wheel.advance(h.t);
  assert.deepEqual(h.fired.map(([k]) => k), ["a", "b", "c"]);
  assert.ok(h.wheel.has("later"));
});

test("wheel: delete disarms; re-set moves the deadline (earlier and later)", () => {
  const h = harness();
  const base = h.t;
  h.wheel.set("gone", base + 200);
  h.wheel.set("moved", base + 200);
  h.wheel.set("sooner", base + 5000);
  assert.equal(h.wheel.delete("gone"), true);
  assert.equal(h.wheel.delete("gone"), false);
  h.wheel.set("moved", base + 3000);
  h.wheel.set("sooner", base + 300);
  assert.equal(h.wheel.dueAt("moved"), base + 3000);
  run(h, 1000);
  assert.deepEqual(h.fired.map(([k]) => k), ["sooner"]);
  run(h, 3000);
  assert.deepEqual(h.fired.map(([k]) => k), ["sooner", "moved"]);
});

test("wheel: re-setting a key many times keeps one entry and fires once", () => {
  const h = harness();
  for (let i = 0; i < 10_000; i++) h.wheel.set("ka", h.t + 1500 + (i % 7));
  assert.equal(h.wheel.size, 1);
  run(h, 2000);
  assert.equal(h.fired.length, 1);
});

test("wheel: deadlines beyond one revolution wait for their round", () => {
  const h = harness(100, 8); // 800 ms per revolution
  const base = h.t;
  h.wheel.set("far", base + 10_050);
  run(h, 10_000);
  assert.equal(h.fired.length, 0);
  run(h, 200);
  assert.equal(h.fired.length, 1);
  assert.ok(h.fired[0][1] - (base + 10_050) < 100);
});

test("wheel: a jump of many revolutions still fires every due key once", () => {
  const h = harness(100, 8);
  const base = h.t;
  for (let i = 0; i < 50; i++) h.wheel.set(`k${i}`, base + i * 77);
  h.t = base + 1_000_000;
  h.wheel.advance(h.t);
  assert.equal(h.fired.length, 50);
  assert.deepEqual(h.fired.map(([k]) => k), Array.from({ length: 50 }, (_, i) => `k${i}`));
});

test("wheel: a past deadline fires on the next advance; the clock going back fires nothing", () => {
  const h = harness();
  h.wheel.set("past", h.t - 5000);
  h.wheel.advance(h.t - 10_000);
  assert.equal(h.fired.length, 0);
  h.wheel.advance(h.t);
  assert.equal(h.fired.length, 1);
});

test("wheel: callbacks may re-arm, delete others, or throw without losing keys", () => {
  const h = harness();
  const base = h.t;
  const order: string[] = [];
  const wheel = new TimerWheel<string>({
    tickMs: 100,
    now: () => h.t,
    onExpire: (k) => {
      order.push(k);
      if (k === "a" && order.length === 1) wheel.set("a", base + 2000); // lazy re-arm, once
      if (k === "b") wheel.delete("c"); // c was due in the same batch
      if (k === "d") throw new Error("boom");
    },
  });
  for (const [k, d] of [["a", 10], ["b", 20], ["c", 30], ["d", 40], ["e", 50]] as const) wheel.set(k, base + d);
  h.t = base + 100;
  assert.throws(() => wheel.advance(h.t), /boom/);
  assert.deepEqual(order, ["a", "b", "d"]);
  assert.ok(wheel.has("e"), "keys after a throwing callback stay armed");
  wheel.advance(h.t + 100);
  assert.deepEqual(order, ["a", "b", "d", "e"]);
  wheel.advance(base + 2100);
  assert.deepEqual(order, ["a", "b", "d", "e", "a"]);
  assert.equal(wheel.size, 0);
});

test("wheel: NaN due is rejected; Infinity never fires", () => {
  const h = harness();
  assert.throws(() => h.wheel.set("nan", NaN), RangeError);
  h.wheel.set("never", Infinity);
  h.wheel.advance(h.t + 1e12);
  assert.equal(h.fired.length, 0);
  assert.ok(h.wheel.has("never"));
  h.wheel.advance(NaN); // ignored, does not corrupt the cursor
  h.wheel.set("soon", h.t + 1e12 + 50);
  h.wheel.advance(h.t + 1e12 + 100);
  assert.deepEqual(h.fired.map(([k]) => k), ["soon"]);
});

test("wheel: clear disarms everything", () => {
  const h = harness();
  for (let i = 0; i < 100; i++) h.wheel.set(`k${i}`, h.t + i);
  h.wheel.clear();
  assert.equal(h.wheel.size, 0);
  run(h, 1000);
  assert.equal(h.fired.length, 0);
});

test("wheel: start() uses one interval on the faked clock; stop() ends it", () => {
  mock.timers.enable({ apis: ["setInterval", "Date"], now: 50_000 });
  try {
    const fired: number[] = [];
    const wheel = new TimerWheel<number>({ tickMs: 100, onExpire: () => fired.push(Date.now()) });
    wheel.set(1, 50_250);
    wheel.start();
    wheel.start(); // idempotent
    mock.timers.tick(200);
    assert.equal(fired.length, 0);
    mock.timers.tick(100);
    assert.deepEqual(fired, [50_300]);
    wheel.stop();
    wheel.set(2, 50_400);
    mock.timers.tick(1000);
    assert.equal(fired.length, 1, "no ticks after stop()");
  } finally {
    mock.timers.reset();
  }
});

test("wheel: rejects a non-positive tick", () => {
  assert.throws(() => new TimerWheel({ tickMs: 0, onExpire: () => {} }), RangeError);
});

// NodeWheel: the intrusive wheel under TimerWheel and the keep-alive monitor.

interface Node extends WheelNode {
  name: string;
}

function node(name: string): Node {
  return { name, wheelDue: 0, wheelSlot: WHEEL_IDLE, wheelPrev: null, wheelNext: null };
}

test("node wheel: set/delete/has/size track the node's own fields; re-set from the callback re-arms", () => {
  let t = 10_000;
  const fired: string[] = [];
  const wheel: NodeWheel<Node> = new NodeWheel<Node>({
    tickMs: 100, now: () => t,
    onExpire: (n) => {
      fired.push(n.name);
      if (n.name === "again" && fired.length < 3) wheel.set(n, t + 500);
    },
  });
  const [a, b, c, again] = [node("a"), node("b"), node("c"), node("again")];
  wheel.set(a, t + 100);
  wheel.set(b, t + 200);
  wheel.set(c, t + 300);
  wheel.set(again, t + 50);
  wheel.set(b, t + 250); // same slot? either way still one arm
  assert.equal(wheel.size, 4);
  assert.equal(wheel.delete(c), true);
  assert.equal(wheel.delete(c), false);
  assert.equal(wheel.has(c), false);
  assert.equal(c.wheelSlot, WHEEL_IDLE);
  assert.equal(wheel.size, 3);
  for (let i = 0; i < 20; i++) wheel.advance((t += 100));
  assert.deepEqual(fired, ["again", "a", "b", "again"]);
  assert.equal(wheel.size, 0);
  assert.equal(wheel.has(again), false);
});

test("node wheel: a node deleted and re-set by an earlier callback in the same advance fires later", () => {
  let t = 0;
  const fired: string[] = [];
  const x = node("x"), y = node("y");
  const wheel: NodeWheel<Node> = new NodeWheel<Node>({
    tickMs: 100, now: () => t,
    onExpire: (n) => {
      fired.push(n.name);
      if (n === x) {
        wheel.delete(y);
        wheel.set(y, t + 1000);
      }
    },
  });
  wheel.set(x, 100);
  wheel.set(y, 150);
  t = 500;
  wheel.advance(t);
  assert.deepEqual(fired, ["x"]);
  assert.equal(wheel.size, 1);
  t = 1600;
  wheel.advance(t);
  assert.deepEqual(fired, ["x", "y"]);
  wheel.set(x, t + 100);
  wheel.clear();
  assert.equal(wheel.size, 0);
  assert.equal(x.wheelSlot, WHEEL_IDLE);
  wheel.advance(t + 1000);
  assert.deepEqual(fired, ["x", "y"]);
});
