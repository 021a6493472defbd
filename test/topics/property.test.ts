// Property tests: random subscribe / unsubscribe / re-subscribe / match sequences against the
// naive model. Small alphabets so filters and topics collide and match often.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createTopicIndex } from "../../src/wasm/topic_index.ts";
import { canonical, matches, NaiveIndex, validFilter } from "./naive.ts";

const topicLevel = fc.constantFrom("a", "b", "", "$s", "ü");
const filterLevel = fc.constantFrom("a", "b", "", "$s", "+", "+", "ü");
const topicArb = fc.array(topicLevel, { minLength: 1, maxLength: 3 }).map((l) => l.join("/"));
// Mostly valid filters ("#" last); sometimes a malformed one ("#" inside, "a+").
const plainFilter = fc.tuple(
  fc.array(filterLevel, { minLength: 0, maxLength: 3 }),
  fc.constantFrom("a", "+", "#", "#", "", "a+", "#/a"),
).map(([l, last]) => [...l, last].join("/"));
const filterArb = fc.oneof(
  { weight: 4, arbitrary: plainFilter },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("g", "h", "", "g+"), plainFilter).map(([g, f]) => `$share/${g}/${f}`) },
);

type Cmd =
  | { kind: "sub"; filter: string; sid: number; opts: number; ident: number }
  | { kind: "unsub"; filter: string; sid: number }
  | { kind: "match"; topic: string };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({
    kind: fc.constant("sub" as const), filter: filterArb, sid: fc.nat(3),
    opts: fc.nat(0x3f), ident: fc.constantFrom(0, 0, 1, 2, 300000),
  }),
  fc.record({ kind: fc.constant("unsub" as const), filter: filterArb, sid: fc.nat(3) }),
  fc.record({ kind: fc.constant("match" as const), topic: topicArb }),
);

/**
 * One index serves every run of a property (a WASM instance per run made these tests slow once many
 * instances existed in the process); after a run, every filter it subscribed is unsubscribed and the
 * index must be back at its empty size, so runs stay independent.
 */
const reused = createTopicIndex();
const emptySize = reused.memoryStats().liveBytes;

function emptied(cmds: readonly Cmd[]): void {
  for (const c of cmds) if (c.kind === "sub") reused.unsubscribe(c.filter, c.sid);
  assert.equal(reused.memoryStats().liveBytes, emptySize);
}

test("the naive oracle agrees with the spec's examples", () => {
  assert.ok(matches("sport/#", "sport") && matches("+/+", "/finance") && !matches("+", "/finance"));
  assert.ok(!matches("#", "$SYS/a") && matches("$SYS/#", "$SYS") && !validFilter("a/#/b"));
});

test("random command sequences: WASM index equals the naive model", () => {
  fc.assert(fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 60 }), (cmds) => {
    const index = reused;
    const model = new NaiveIndex();
    for (const c of cmds) {
      if (c.kind === "sub") {
        assert.equal(index.subscribe(c.filter, c.sid, c.opts, c.ident), model.subscribe(c.filter, c.sid, c.opts, c.ident));
      } else if (c.kind === "unsub") {
        assert.equal(index.unsubscribe(c.filter, c.sid), model.unsubscribe(c.filter, c.sid));
      } else {
        assert.deepEqual(canonical(index.match(c.topic)), model.match(c.topic), c.topic);
      }
    }
    // Every topic of the alphabet up to 3 levels after the sequence, then teardown frees everything.
    for (const t of ["a", "b", "", "$s", "a/b", "/", "$s/a", "a//b", "a/b/ü", "b/$s"]) {
      assert.deepEqual(canonical(index.match(t)), model.match(t), t);
    }
    emptied(cmds);
  }), { numRuns: 150 });
});

test("many subscribers per filter (indexed sets, both folding strategies) equal the naive model", () => {
  const few = fc.constantFrom("a/b", "a/+", "+/b", "#", "a/#", "$share/g/a/b", "$share/g/#");
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("sub" as const), filter: few, sid: fc.nat(40), opts: fc.nat(15), ident: fc.nat(3) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("unsub" as const), filter: few, sid: fc.nat(40) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("match" as const), topic: fc.constantFrom("a/b", "a/c", "x/b") }) },
  );
  fc.assert(fc.property(fc.array(cmd, { minLength: 1, maxLength: 300 }), (cmds) => {
    const index = reused;
    const model = new NaiveIndex();
    for (const c of cmds) {
      if (c.kind === "sub") index.subscribe(c.filter, c.sid, c.opts, c.ident), model.subscribe(c.filter, c.sid, c.opts, c.ident);
      else if (c.kind === "unsub") assert.equal(index.unsubscribe(c.filter, c.sid), model.unsubscribe(c.filter, c.sid));
      else assert.deepEqual(canonical(index.match(c.topic)), model.match(c.topic));
    }
    for (let i = 0; i < 2; i++) assert.deepEqual(canonical(index.match("a/b")), model.match("a/b")); // marks cleared
    emptied(cmds);
  }), { numRuns: 60 });
});

test("unsubscribing everything returns the trie to its empty size", () => {
  fc.assert(fc.property(fc.array(fc.tuple(filterArb, fc.nat(5)), { maxLength: 40 }), (subs) => {
    const index = createTopicIndex();
    const empty = index.memoryStats().liveBytes;
    for (const [f, sid] of subs) index.subscribe(f, sid, 1, sid);
    for (const [f, sid] of subs) index.unsubscribe(f, sid);
    assert.equal(index.memoryStats().liveBytes, empty);
    assert.equal(index.match("a/b").count + index.match("a/b").sharedCount, 0);
  }), { numRuns: 60 });
});

test("matching a topic against random filters equals the naive matcher", () => {
  const index = createTopicIndex();
  fc.assert(fc.property(plainFilter, topicArb, (filter, topic) => {
    if (!validFilter(filter)) return;
    index.subscribe(filter, 1, 0);
    const r = index.match(topic);
    assert.equal(r.count === 1, matches(filter, topic), `${filter} ${topic}`);
    index.unsubscribe(filter, 1);
  }), { numRuns: 500 });
});
