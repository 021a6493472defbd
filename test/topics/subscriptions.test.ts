// Subscription trie: spec examples, validation, `$` topics, shared subscriptions, folding.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createTopicIndex, loadTopicIndex, NO_SUBSCRIPTION_EXISTED, SUBSCRIBE_NEW, SUBSCRIBE_REPLACED, TOPIC_FILTER_INVALID,
  UNSUBSCRIBE_SUCCESS,
} from "../../src/wasm/topic_index.ts";
import { canonical } from "./naive.ts";

/** Subscriber ids matching `topic` after subscribing one subscriber per filter. */
function matchOne(filter: string, topic: string): boolean {
  const index = createTopicIndex();
  assert.equal(index.subscribe(filter, 7, 0), SUBSCRIBE_NEW);
  return index.match(topic).count === 1;
}

test("[MQTT-4.7.1-2] multi-level wildcard examples", () => {
  for (const t of ["sport/tennis/player1", "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon"]) {
    assert.ok(matchOne("sport/tennis/player1/#", t), t);
  }
  assert.ok(matchOne("sport/#", "sport"));
  assert.ok(matchOne("#", "a/b/c"));
  assert.ok(!matchOne("sport/tennis/#", "sport/football"));
});

test("[MQTT-4.7.1-3] single-level wildcard examples", () => {
  assert.ok(matchOne("sport/tennis/+", "sport/tennis/player1"));
  assert.ok(!matchOne("sport/tennis/+", "sport/tennis/player1/ranking"));
  assert.ok(!matchOne("sport/+", "sport"));
  assert.ok(matchOne("sport/+", "sport/"));
  assert.ok(matchOne("+/+", "/finance"));
  assert.ok(matchOne("/+", "/finance"));
  assert.ok(!matchOne("+", "/finance"));
  assert.ok(matchOne("+/tennis/#", "sport/tennis/x"));
  assert.ok(matchOne("a//b", "a//b"));
  assert.ok(!matchOne("a/b", "a//b"));
});

test("[MQTT-4.7.2-1] wildcards at the first level do not match $ topics", () => {
  assert.ok(!matchOne("#", "$SYS/broker/clients"));
  assert.ok(!matchOne("+/monitor/Clients", "$SYS/monitor/Clients"));
  assert.ok(matchOne("$SYS/#", "$SYS/monitor/Clients"));
  assert.ok(matchOne("$SYS/monitor/+", "$SYS/monitor/Clients"));
  assert.ok(matchOne("$SYS/#", "$SYS"));
  assert.ok(matchOne("a/+", "a/$b"));
  assert.ok(!matchOne("$share/g/#", "$SYS/x"));
});

test("[MQTT-4.7.1-1..3] [MQTT-4.7.3-1..2] invalid filters are refused with 0x8F and not stored", () => {
  const index = createTopicIndex();
  const empty = index.memoryStats().liveBytes;
  for (const f of ["", "a/#/b", "a#", "#a", "a/b#", "+a", "a+/b", "a/+b", "++", "##", "a\0b"]) {
    assert.equal(index.subscribe(f, 1, 1), TOPIC_FILTER_INVALID, JSON.stringify(f));
    assert.equal(index.unsubscribe(f, 1), TOPIC_FILTER_INVALID, JSON.stringify(f));
  }
  assert.equal(index.memoryStats().liveBytes, empty);
  assert.equal(index.match("a/b").count, 0);
  for (const f of ["#", "+", "/", "a//", "+/+/#", "$SYS/+", "€/ü/+"]) assert.equal(index.subscribe(f, 1, 1), SUBSCRIBE_NEW, f);
});

test("[MQTT-4.8.2-1] [MQTT-4.8.2-2] $share/{ShareName}/{filter} parsing", () => {
  const index = createTopicIndex();
  for (const f of ["$share/", "$share//a", "$share/g", "$share/g/", "$share/g+/a", "$share/#/a", "$share/g/a/#/b"]) {
    assert.equal(index.subscribe(f, 1, 1), TOPIC_FILTER_INVALID, f);
  }
  assert.equal(index.subscribe("$share/g/a/+", 1, 1, 11), SUBSCRIBE_NEW);
  assert.equal(index.subscribe("$share/g/a/+", 2, 2), SUBSCRIBE_NEW);
  assert.equal(index.subscribe("$share/h/a/#", 3, 0), SUBSCRIBE_NEW);
  assert.equal(index.subscribe("$share/g/a/+", 1, 0), SUBSCRIBE_REPLACED);
  assert.equal(index.subscribe("$sharex/a", 4, 0), SUBSCRIBE_NEW); // not a shared subscription
  const r = index.match("a/b");
  assert.equal(r.count, 0);
  assert.deepEqual(canonical(r).shared, ["1:0:0,2:2:0", "3:0:0"]);
  assert.notEqual(r.sharedGroup(0), r.sharedGroup(1));
  assert.equal(index.match("$sharex/a").count, 1);
  assert.equal(index.unsubscribe("$share/g/a/+", 1), UNSUBSCRIBE_SUCCESS);
  assert.equal(index.unsubscribe("$share/g/a/+", 1), NO_SUBSCRIPTION_EXISTED);
  assert.equal(index.unsubscribe("$share/x/a/+", 2), NO_SUBSCRIPTION_EXISTED);
  assert.deepEqual(canonical(index.match("a/b")).shared, ["2:2:0", "3:0:0"]);
});

test("[MQTT-3.3.4-2] [MQTT-3.3.4-3] overlapping subscriptions fold into one entry per subscriber", () => {
  const index = createTopicIndex();
  index.subscribe("a/+/c", 1, 0x01 | 0x04, 5); // QoS 1, No Local
  index.subscribe("a/#", 1, 0x02 | 0x08, 7); // QoS 2, Retain As Published
  index.subscribe("+/b/c", 1, 0x04); // No Local, no identifier
  index.subscribe("a/b/c", 2, 0x04 | 0x30);
  const r = index.match("a/b/c");
  assert.equal(r.count, 2);
  const i = r.subscriber(0) === 1 ? 0 : 1;
  assert.equal(r.qos(i), 2);
  assert.equal(r.noLocal(i), false); // a/# lacks No Local: deliver
  assert.equal(r.retainAsPublished(i), true);
  assert.deepEqual(r.subscriptionIds(i)?.sort(), [5, 7]);
  assert.equal(r.subscriptionIdCount(i), 2);
  assert.equal(r.noLocal(1 - i), true);
  assert.equal(r.options(1 - i), 0x04); // Retain Handling is not a delivery property
  assert.equal(r.subscriptionIds(1 - i), undefined);
});

test("re-subscribing replaces options and reports that it existed (Retain Handling 1)", () => {
  const index = createTopicIndex();
  const empty = index.memoryStats().liveBytes;
  assert.equal(index.subscribe("x/y", 3, 0, 1), SUBSCRIBE_NEW);
  assert.equal(index.subscribe("x/y", 3, 2, 9), SUBSCRIBE_REPLACED);
  const r = index.match("x/y");
  assert.equal(r.count, 1);
  assert.equal(r.qos(0), 2);
  assert.deepEqual(r.subscriptionIds(0), [9]);
  assert.equal(index.unsubscribe("x/y", 3), UNSUBSCRIBE_SUCCESS);
  assert.equal(index.unsubscribe("x/y", 3), NO_SUBSCRIPTION_EXISTED);
  assert.equal(index.unsubscribe("x/y/z", 3), NO_SUBSCRIPTION_EXISTED);
  assert.equal(index.match("x/y").count, 0);
  assert.equal(index.memoryStats().liveBytes, empty); // emptied nodes are unlinked and recycled
});

test("topics as bytes with offset/length, UTF-8 strings and long topics", () => {
  const index = createTopicIndex();
  index.subscribe(new TextEncoder().encode("ü/€/+"), 4, 1);
  const bytes = new TextEncoder().encode("xxü/€/zyy");
  assert.equal(index.match(bytes, 2, bytes.length - 4).count, 1);
  assert.equal(index.match("ü/€/z").count, 1);
  const long = "l/".repeat(40000) + "end"; // longer than the initial 64 KiB input buffer
  assert.equal(index.subscribe(long, 5, 0), SUBSCRIBE_NEW);
  index.subscribe("l/#", 6, 0);
  assert.equal(index.match(long).count, 2);
  assert.equal(index.match("ü/€/z").count, 1);
  assert.equal(index.unsubscribe(long, 5), UNSUBSCRIBE_SUCCESS);
});

test("validation helpers", () => {
  const index = createTopicIndex();
  assert.equal(index.validTopicName("a/b"), true);
  assert.equal(index.validTopicName("a/+"), false);
  assert.equal(index.validTopicName(""), false);
  assert.equal(index.validTopicName("a\0"), false);
  assert.equal(index.validTopicFilter("a/#"), true);
  assert.equal(index.validTopicFilter("a/#/"), false);
});

test("asynchronous load gives an independent index", async () => {
  const a = await loadTopicIndex();
  const b = createTopicIndex();
  a.subscribe("x/#", 1, 0);
  assert.equal(a.match("x/y").count, 1);
  assert.equal(b.match("x/y").count, 0);
});
