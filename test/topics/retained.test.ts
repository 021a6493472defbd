// Retained index: set / replace / delete, filter walks with `+`, `#` and the `$` rule, compared
// with a naive filter over the stored set.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createTopicIndex, TOPIC_NAME_INVALID } from "../../src/wasm/topic_index.ts";
import { matches, retainedIds, validFilter } from "./naive.ts";

test("set, replace, delete and match", () => {
  const index = createTopicIndex();
  const empty = index.memoryStats().liveBytes;
  assert.equal(index.retainedSet("a/b/c", 1), 0);
  assert.equal(index.retainedSet("a/x/c", 2), 0);
  assert.equal(index.retainedSet("a", 3), 0);
  assert.equal(index.retainedSet("$SYS/up", 4), 0);
  assert.equal(index.retainedSet("a/b/c", 5), 1); // one message per topic: replaced
  assert.equal(index.retainedCount, 4);
  assert.deepEqual(retainedIds(index, "a/+/c"), [2, 5]);
  assert.deepEqual(retainedIds(index, "a/#"), [2, 3, 5]); // "a/#" matches "a" [MQTT-4.7.1-2]
  assert.deepEqual(retainedIds(index, "#"), [2, 3, 5]); // [MQTT-4.7.2-1]
  assert.deepEqual(retainedIds(index, "+"), [3]);
  assert.deepEqual(retainedIds(index, "+/up"), []);
  assert.deepEqual(retainedIds(index, "$SYS/#"), [4]);
  assert.equal(index.retainedMatch("a/#/b").count, -1);
  assert.equal(index.retainedDelete("a/b/c"), 5);
  assert.equal(index.retainedDelete("a/b/c"), -1);
  assert.equal(index.retainedDelete("a/b"), -1);
  assert.deepEqual(retainedIds(index, "#"), [2, 3]);
  for (const t of ["a/x/c", "a", "$SYS/up"]) index.retainedDelete(t);
  assert.equal(index.retainedCount, 0);
  assert.equal(index.memoryStats().liveBytes, empty);
});

test("[MQTT-3.3.2-2] [MQTT-4.7.3-1] invalid topic names are not stored", () => {
  const index = createTopicIndex();
  for (const t of ["", "a/+", "#", "a\0"]) assert.equal(index.retainedSet(t, 1), TOPIC_NAME_INVALID, t);
  assert.equal(index.retainedCount, 0);
});

test("a wide level: 100k children, matched by + and an exact level", () => {
  const index = createTopicIndex();
  for (let i = 0; i < 100_000; i++) index.retainedSet(`w/${i}/c`, i);
  assert.equal(index.retainedMatch("w/+/c").count, 100_000);
  assert.deepEqual(retainedIds(index, "w/77777/#"), [77777]);
  for (let i = 0; i < 100_000; i += 2) index.retainedDelete(`w/${i}/c`);
  assert.equal(index.retainedMatch("w/#").count, 50_000);
});

test("random stores and filters equal a naive filter over the stored set", () => {
  const level = fc.constantFrom("a", "b", "", "$s", "é");
  const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join("/"));
  const filter = fc.array(fc.constantFrom("a", "b", "", "$s", "+", "+", "#"), { minLength: 1, maxLength: 4 })
    .map((l) => l.join("/"));
  const op = fc.tuple(fc.boolean(), topic, fc.nat(1000));
  const index = createTopicIndex(); // one for every run (many WASM instances slow a process down): emptied after each
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), fc.array(filter, { maxLength: 10 }), (ops, filters) => {
    const store = new Map<string, number>();
    for (const [set, t, id] of ops) {
      if (t === "") {
        assert.equal(index.retainedSet(t, id), TOPIC_NAME_INVALID);
      } else if (set) {
        assert.equal(index.retainedSet(t, id), store.has(t) ? 1 : 0);
        store.set(t, id);
      } else {
        assert.equal(index.retainedDelete(t), store.get(t) ?? -1);
        store.delete(t);
      }
    }
    for (const f of filters) {
      if (!validFilter(f)) {
        assert.equal(index.retainedMatch(f).count, -1);
        continue;
      }
      const want = [...store].filter(([t]) => matches(f, t)).map(([, id]) => id).sort((a, b) => a - b);
      assert.deepEqual(retainedIds(index, f), want, f);
    }
    for (const t of store.keys()) index.retainedDelete(t);
    assert.equal(index.retainedCount, 0);
  }), { numRuns: 150 });
});
