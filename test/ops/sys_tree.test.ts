// $SYS/broker/... with Mosquitto's names: values after known traffic, read by real clients;
// published only on change; never matched by a leading wildcard [MQTT-4.7.2-1].
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Broker } from "../../src/index.ts";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sleep, waitFor } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { withBroker } from "../helpers/setup.ts";
import { LoadAverage } from "../../src/ops/load_average.ts";
import { VERSION } from "../../src/version.ts";

/** Latest payload per $SYS topic (suffix after `$SYS/broker/`). */
function latest(got: { topic: string; payload: string }[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const g of got) m.set(g.topic.slice("$SYS/broker/".length), g.payload);
  return m;
}

test("$SYS values follow known traffic: N clients, M publishes, K retained, read by an MQTT.js subscriber", () =>
  withBroker({ sysInterval: 1 }, async ({ pool }) => {
    const N = 3, M = 7, K = 2;
    const clients = [];
    for (let i = 0; i < N; i++) clients.push(await pool.connect({ clientId: `c${i}` }));
    await subscribe(clients[1], "data/#", { qos: 1 });
    for (let i = 0; i < M; i++) await clients[0].publishAsync("data/x", `m${i}`, { qos: 1 });
    for (let i = 0; i < K; i++) await clients[0].publishAsync(`keep/${i}`, "r", { qos: 0, retain: true });
    const sub = await pool.connect({ clientId: "sys-reader" });
    const got = collect(sub);
    await subscribe(sub, "$SYS/broker/#", { qos: 0 });
    // The next update after the reader connected and subscribed shows N + 1 clients.
    await waitFor(() => latest(got).get("clients/connected") === String(N + 1) && latest(got).get("subscriptions/count") === "2", "an update with the reader", 4000);
    const v = latest(got);
    assert.equal(v.get("version"), `vireo version ${VERSION}`);
    assert.match(v.get("uptime")!, /^\d+ seconds$/);
    assert.equal(v.get("clients/total"), String(N + 1));
    assert.equal(v.get("clients/disconnected"), "0");
    assert.equal(v.get("clients/maximum"), String(N + 1));
    assert.equal(v.get("publish/messages/received"), String(M + K));
    // The reader's own $SYS deliveries count as sent too (as in Mosquitto): at least the M forwards.
    assert.ok(Number(v.get("publish/messages/sent")) >= M);
    assert.equal(v.get("publish/messages/dropped"), "0");
    // Mosquitto counts the $SYS values among its retained messages too: K plus the tree's own.
    const retained = Number(v.get("retained messages/count"));
    assert.ok(retained > K && retained < K + 80, `retained ${retained}`);
    assert.ok(Number(v.get("messages/received")) >= N + 1 + M + K + 2, "every packet counts (CONNECTs, SUBSCRIBEs, PUBLISHes)");
    assert.ok(Number(v.get("bytes/received")) > M * 10 && Number(v.get("bytes/sent")) > M * 10);
    assert.ok(Number(v.get("heap/current")) > 0);
    assert.ok(Number(v.get("load/publish/received/1min")) > 0);
    assert.match(v.get("load/connections/15min")!, /^\d+\.\d\d$/);
  }));

test("$SYS: a client that goes away leaves a disconnected session; clients/maximum keeps the peak", () =>
  withBroker({ sysInterval: 1 }, async ({ pool }) => {
    const gone = await pool.connect({ clientId: "persistent", clean: false });
    const sub = await pool.connect({ clientId: "reader" });
    const got = collect(sub);
    await subscribe(sub, "$SYS/broker/clients/+", { qos: 0 });
    await new Promise<void>((r) => gone.end(false, {}, () => r()));
    await waitFor(() => latest(got).get("clients/disconnected") === "1", "the disconnected session", 4000);
    const v = latest(got);
    assert.equal(v.get("clients/connected"), "1");
    assert.equal(v.get("clients/total"), "2");
    assert.equal(v.get("clients/maximum"), "2");
  }));

test("$SYS: only changed values are published again; version and idle counters are not repeated", () =>
  withBroker({ sysInterval: 1 }, async ({ pool }) => {
    const sub = await pool.connect({ clientId: "reader" });
    await subscribe(sub, "$SYS/broker/#", { qos: 0 });
    await sleep(1200); // past one update with the reader in it
    const got = collect(sub);
    await sleep(2300); // two more updates, no traffic but the tree's own
    const live = got.filter((g) => !g.retain).map((g) => g.topic);
    assert.ok(live.includes("$SYS/broker/uptime"), `uptime changes every update: ${live.join(", ")}`);
    assert.ok(!live.includes("$SYS/broker/version"), "version is published once");
    assert.ok(!live.includes("$SYS/broker/clients/maximum"), "an unchanged value is not re-published");
    assert.ok(!live.includes("$SYS/broker/publish/messages/received"));
  }));

test("$SYS topics are never matched by '#' or '+/...' filters [MQTT-4.7.2-1], neither live nor retained", () =>
  withBroker({ sysInterval: 1 }, async ({ pool }) => {
    const wild = await pool.connect({ clientId: "wild" });
    const got = collect(wild);
    await subscribe(wild, ["#", "+/broker/#", "+/+/uptime"], { qos: 0 });
    const direct = await pool.connect({ clientId: "direct" });
    const seen = collect(direct);
    await subscribe(direct, "$SYS/+/uptime", { qos: 0 });
    await direct.publishAsync("plain/topic", "x", { qos: 1 });
    await sleep(2300);
    assert.ok(seen.length >= 2, "the explicit $SYS subscriber sees the retained and the live uptime");
    assert.deepEqual(got.map((g) => g.topic), ["plain/topic"]);
  }));

test("$SYS read with mosquitto_sub (Debian mosquitto-clients)", () =>
  withBroker({ sysInterval: 1 }, async ({ b }) => {
    // Asynchronously: the broker runs on this event loop.
    const r = await promisify(execFile)("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(b.port), "-t", "$SYS/broker/version", "-C", "1", "-W", "5"]);
    assert.equal(r.stdout.trim(), `vireo version ${VERSION}`);
  }));

test("sysInterval 0: no $SYS tree at all", () =>
  withBroker({ sysInterval: 0 }, async ({ b }) => {
    assert.equal(b.broker.core.retained.size, 0);
  }));

test("load averages damp like Mosquitto's: 600 events in 60 s → 1 min average 600·(1−e⁻¹)", () => {
  const l = new LoadAverage(0);
  l.update(600, 60);
  assert.equal(l.values[0].toFixed(2), (600 * (1 - Math.exp(-1))).toFixed(2));
  assert.equal(l.values[1].toFixed(2), (600 * (1 - Math.exp(-60 / 300))).toFixed(2));
  l.update(600, 60); // nothing new: decays
  assert.equal(l.values[0].toFixed(2), (600 * (1 - Math.exp(-1)) * Math.exp(-1)).toFixed(2));
  l.update(700, 0); // no time passed: ignored
  assert.equal(l.values[0].toFixed(2), (600 * (1 - Math.exp(-1)) * Math.exp(-1)).toFixed(2));
});

test("VERSION matches package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  assert.equal(VERSION, pkg.version);
});

test("$SYS values are never written to storage (rebuilt at every start, as Mosquitto does)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-sys-store-"));
  try {
    const b = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir, sysInterval: 1 });
    await b.listen();
    assert.ok(b.core.retained.size > 20, "the tree is retained in memory");
    b.publish("plain/kept", "x", { retain: true });
    await b.close();
    const again = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir, sysInterval: 0 });
    await again.listen();
    try {
      assert.equal(again.core.retained.size, 1, "only the plain retained message came back");
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
