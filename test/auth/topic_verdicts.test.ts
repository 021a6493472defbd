// The byte-keyed answer cache: hits without strings, probing past collisions, eviction, clear.
import { test } from "node:test";
import assert from "node:assert/strict";
import { topicHash, TopicVerdicts } from "../../src/auth/topic_verdicts.ts";

const enc = new TextEncoder();

test("TopicVerdicts: answers per topic bytes and kind; 100 topics through 32 slots never give a wrong answer", () => {
  const v = new TopicVerdicts();
  const put = (t: string, kind: 0 | 1, yes: boolean) => {
    const b = enc.encode(`xx${t}`); // at an offset, as in a frame
    v.set(kind, b, 2, b.length - 2, topicHash(b, 2, b.length - 2), yes);
  };
  const get = (t: string, kind: 0 | 1) => {
    const b = enc.encode(t);
    return v.get(kind, b, 0, b.length, topicHash(b, 0, b.length));
  };
  put("a/b", 0, true);
  assert.equal(get("a/b", 0), 1);
  assert.equal(get("a/b", 1), -1);
  put("a/b", 1, false);
  assert.equal(get("a/b", 0), 1); // the other kind is kept
  assert.equal(get("a/b", 1), 0);
  assert.equal(get("a/c", 0), -1);
  for (let i = 0; i < 100; i++) put(`t/${i}`, 0, i % 3 === 0);
  let hits = 0;
  for (let i = 0; i < 100; i++) {
    const r = get(`t/${i}`, 0);
    if (r >= 0) {
      hits++;
      assert.equal(r, i % 3 === 0 ? 1 : 0, `t/${i}`);
    }
  }
  assert.ok(hits > 0 && hits <= 32);
  // Ten hot topics (a fan-in subscriber's) all fit despite colliding home slots.
  const w = new TopicVerdicts();
  const topics = Array.from({ length: 10 }, (_, i) => enc.encode(`bench/fi/${i}`));
  for (const t of topics) w.set(0, t, 0, t.length, topicHash(t, 0, t.length), true);
  for (const t of topics) assert.equal(w.get(0, t, 0, t.length, topicHash(t, 0, t.length)), 1);
  w.clear();
  assert.equal(w.get(0, topics[0], 0, topics[0].length, topicHash(topics[0], 0, topics[0].length)), -1);
});
