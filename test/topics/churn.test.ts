// Memory under churn and at scale: emptied nodes and tables are recycled through free lists, so
// repeated subscribe/unsubscribe cycles do not grow WASM memory; wide levels and big fan-outs stay fast.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTopicIndex } from "../../src/wasm/topic_index.ts";

function cycle(index: ReturnType<typeof createTopicIndex>, round: number): void {
  for (let i = 0; i < 20_000; i++) index.subscribe(`c/${(i * 7 + round) % 5000}/${i}/+`, i % 300, 1, i);
  for (let i = 0; i < 20_000; i++) index.retainedSet(`r/${i % 97}/${i}`, i);
  for (let i = 0; i < 20_000; i++) index.unsubscribe(`c/${(i * 7 + round) % 5000}/${i}/+`, i % 300);
  for (let i = 0; i < 20_000; i++) index.retainedDelete(`r/${i % 97}/${i}`);
}

test("subscribe/unsubscribe churn does not grow memory", () => {
  const index = createTopicIndex();
  const empty = index.memoryStats().liveBytes;
  cycle(index, 0);
  const after1 = index.memoryStats();
  assert.equal(after1.liveBytes, empty);
  for (let round = 1; round < 5; round++) cycle(index, round);
  const after5 = index.memoryStats();
  assert.equal(after5.liveBytes, empty);
  assert.equal(after5.reservedBytes, after1.reservedBytes);
  assert.equal(after5.memoryBytes, after1.memoryBytes);
});

test("100k subscribers on one filter: O(1) subscribe/unsubscribe, one entry each on match", () => {
  const index = createTopicIndex();
  for (let sid = 0; sid < 100_000; sid++) index.subscribe("fan/out", sid, sid & 1);
  index.subscribe("fan/+", 5, 2); // folds with subscriber 5's "fan/out"
  index.subscribe("fan/#", 100_000, 2);
  const r = index.match("fan/out");
  assert.equal(r.count, 100_001);
  for (let sid = 0; sid < 100_000; sid += 2) index.unsubscribe("fan/out", sid);
  assert.equal(index.match("fan/out").count, 50_001);
});

test("100k sibling filters: a wide level stays O(1) per lookup", () => {
  const index = createTopicIndex();
  for (let i = 0; i < 100_000; i++) index.subscribe(`dev/${i}/status`, i, 0);
  for (let i = 0; i < 100_000; i += 997) {
    const r = index.match(`dev/${i}/status`);
    assert.equal(r.count, 1);
    assert.equal(r.subscriber(0), i);
  }
});
