// /metrics through a real `http` listener (Bun.serve / Deno.serve): the exposition passes
// `promtool check metrics` (Debian's prometheus package) and its values follow real traffic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { waitFor } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { withOpsBroker } from "./ops_world.ts";
import { PromText } from "../../src/ops/prom_text.ts";

/** Runs promtool on `text`; resolves with its exit code and output. */
function promtool(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn("promtool", ["check", "metrics"]);
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code: code ?? -1, out }));
    p.stdin.end(text);
  });
}

/** Sample name with labels (as written) → value. */
function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const sp = line.lastIndexOf(" ");
    m.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return m;
}

test("/metrics: promtool accepts it; counters and gauges follow traffic (QoS split, drops, retained, sessions)", () =>
  withOpsBroker({ maxQueuedMessages: 2 }, {}, async ({ b, pool, base }) => {
    const scrape = async () => {
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 200);
      return await res.text();
    };
    const first = await scrape();
    const lint = await promtool(first);
    assert.equal(lint.code, 0, lint.out);
    const sub = await pool.connect({ clientId: "sub" });
    const got = collect(sub);
    await subscribe(sub, "t/#", { qos: 2 });
    const offline = await pool.connect({ clientId: "offline", clean: false });
    await subscribe(offline, "t/#", { qos: 1 });
    await new Promise<void>((r) => offline.end(false, {}, () => r()));
    const pub = await pool.connect({ clientId: "pub" });
    for (let i = 0; i < 5; i++) await pub.publishAsync("t/a", "x", { qos: 0 });
    for (let i = 0; i < 3; i++) await pub.publishAsync("t/b", "y", { qos: 1 });
    for (let i = 0; i < 2; i++) await pub.publishAsync("t/c", "z", { qos: 2, retain: i === 1 });
    await got.waitFor(10);
    await waitFor(() => b.broker.stats.publishesSentQos2 === 2, "QoS 2 deliveries counted");
    const text = await scrape();
    const lint2 = await promtool(text);
    assert.equal(lint2.code, 0, lint2.out);
    const v = samples(text);
    assert.equal(v.get("vireo_clients_connected"), 2);
    assert.equal(v.get('vireo_sessions{state="connected"}'), 2);
    assert.equal(v.get('vireo_sessions{state="disconnected"}'), 1);
    assert.equal(v.get('vireo_messages_received_total{qos="0"}'), 5);
    assert.equal(v.get('vireo_messages_received_total{qos="1"}'), 3);
    assert.equal(v.get('vireo_messages_received_total{qos="2"}'), 2);
    assert.equal(v.get('vireo_messages_sent_total{qos="0"}'), 5);
    assert.equal(v.get('vireo_messages_sent_total{qos="1"}'), 3);
    assert.equal(v.get('vireo_messages_sent_total{qos="2"}'), 2);
    // The offline session: 5 QoS 0 dropped as offline, its queue of 2 full after two QoS 1.
    assert.equal(v.get('vireo_messages_dropped_total{reason="offline"}'), 5);
    assert.equal(v.get('vireo_messages_dropped_total{reason="queue_full"}'), 3);
    assert.equal(v.get("vireo_queued_messages"), 2);
    assert.equal(v.get("vireo_retained_messages"), 1);
    assert.equal(v.get("vireo_subscriptions"), 2);
    assert.equal(v.get('vireo_connects_total{result="accepted"}'), 3);
    assert.ok(v.get("vireo_bytes_received_total")! > 10 * 5);
    assert.ok(v.get("vireo_bytes_sent_total")! > 10 * 5);
    assert.ok(v.get("vireo_packets_received_total")! >= 3 + 2 + 10 + 2 + 2);
    assert.ok(v.get("vireo_runtime_heap_used_bytes")! > 0);
    assert.ok(v.get("vireo_runtime_resident_memory_bytes")! > 1e6);
    assert.ok(v.get("vireo_event_loop_delay_seconds")! >= 0);
    assert.ok(v.has("vireo_event_loop_delay_max_seconds"));
  }));

test("prom text: label values and help are escaped; promtool rejects what the escaping prevents", async () => {
  const p = new PromText().family("vireo_test_total", "counter", "a \\ help\nline", [[{ topic: 'a"b\\c\nd' }, 1]]);
  const text = p.toString();
  assert.match(text, /vireo_test_total\{topic="a\\"b\\\\c\\nd"\} 1/);
  assert.equal((await promtool(text)).code, 0);
  assert.notEqual((await promtool('vireo_x{topic="a"b"} 1\n')).code, 0, "the negative control fails");
});
