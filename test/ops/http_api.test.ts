// The operations handler called with `new Request(...)` (both runtimes): every route, bad ids,
// bad filters and paging, methods, the token; JSON errors with statuses, never a stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { withBroker } from "../helpers/setup.ts";
import { createOpsHandler, type OpsHandler } from "../../src/ops/http_api.ts";
import type { World } from "../helpers/setup.ts";
import { Broker } from "../../src/broker/broker.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BASE = "http://127.0.0.1";

/** Runs `body` with a broker, clients and an ops handler (closed afterwards). */
function withOps(token: string, body: (w: World, call: (method: string, path: string, headers?: Record<string, string>) => Promise<{ status: number; body: any; res: Response }>, h: OpsHandler) => Promise<void>) {
  return withBroker({}, async (w) => {
    const h = createOpsHandler(w.b.broker, { token, log: (m) => assert.fail(`unexpected log: ${m}`) });
    const call = async (method: string, path: string, headers: Record<string, string> = {}) => {
      const res = await h(new Request(BASE + path, { method, headers }));
      const text = await res.text();
      const ct = res.headers.get("content-type") ?? "";
      return { status: res.status, body: ct.startsWith("application/json") ? JSON.parse(text) : text, res };
    };
    try {
      await body(w, call, h);
    } finally {
      h.close();
    }
  });
}

/** An error answer: JSON with the status and a message, no stack trace. */
function assertError(r: { status: number; body: any }, status: number, pattern: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.status, status);
  assert.match(r.body.error.message, pattern);
  assert.doesNotMatch(JSON.stringify(r.body), /at .*\.ts:\d+/);
}

test("probes and metrics: /healthz, /readyz (503 once the broker closed), /metrics content type", () =>
  withOps("", async ({ b }, call) => {
    assert.deepEqual((await call("GET", "/healthz")).body, { status: "ok" });
    assert.deepEqual((await call("GET", "/readyz")).body, { status: "ready" });
    const m = await call("GET", "/metrics");
    assert.equal(m.res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assert.match(m.body, /^vireo_clients_connected 0$/m);
    await b.close();
    const r = await call("GET", "/readyz");
    assert.equal(r.status, 503);
    assert.deepEqual(r.body, { status: "not ready", failing: ["listener"] });
  }));

test("/readyz runs the extra readiness checks (storage, cluster, …): 503 naming those that fail or throw", () =>
  withBroker({}, async ({ b }) => {
    let storageOk = true;
    const h = createOpsHandler(b.broker, {
      readyChecks: { storage: () => storageOk, cluster: async () => true, broken: () => { throw new Error("x"); } },
    });
    try {
      const r = await h(new Request(`${BASE}/readyz`));
      assert.equal(r.status, 503);
      assert.deepEqual(await r.json(), { status: "not ready", failing: ["broken"] });
      const h2 = createOpsHandler(b.broker, { readyChecks: { storage: () => storageOk } });
      assert.equal((await h2(new Request(`${BASE}/readyz`))).status, 200);
      storageOk = false;
      assert.deepEqual(await (await h2(new Request(`${BASE}/readyz`))).json(), { status: "not ready", failing: ["storage"] });
      h2.close();
    } finally {
      h.close();
    }
  }));

test("clients: list with paging and filters, one client in full, bad parameters are 400", () =>
  withOps("", async ({ pool }, call) => {
    const v5 = await pool.connect({ clientId: "sensor-1", protocolVersion: 5, keepalive: 30 });
    await pool.connect({ clientId: "sensor-2", protocolVersion: 4 });
    await pool.connect({ clientId: "other", protocolVersion: 4 });
    const gone = await pool.connect({ clientId: "sleeper", clean: false });
    await subscribe(gone, "x/y", { qos: 1 });
    await new Promise<void>((r) => gone.end(false, {}, () => r()));
    await subscribe(v5, ["a/+", "b/#"], { qos: 1 });
    let r = await call("GET", "/api/v1/clients");
    assert.equal(r.body.total, 4);
    assert.deepEqual(r.body.items.map((c: any) => c.clientId), ["sensor-1", "sensor-2", "other", "sleeper"]);
    r = await call("GET", "/api/v1/clients?offset=1&limit=2");
    assert.deepEqual(r.body.items.map((c: any) => c.clientId), ["sensor-2", "other"]);
    assert.equal(r.body.total, 4);
    r = await call("GET", "/api/v1/clients?search=sensor&protocol=5.0");
    assert.deepEqual(r.body.items.map((c: any) => c.clientId), ["sensor-1"]);
    r = await call("GET", "/api/v1/clients?state=disconnected");
    assert.deepEqual(r.body.items, [{ clientId: "sleeper", connected: false, protocol: null, address: null, subscriptions: 1, queued: 0, inflight: 0 }]);
    r = await call("GET", "/api/v1/clients/sensor-1");
    assert.equal(r.body.protocol, "5.0");
    assert.equal(r.body.address, "127.0.0.1");
    assert.equal(r.body.keepAlive, 30);
    assert.equal(r.body.subscriptions, 2);
    assert.deepEqual(r.body.subscriptionList.map((s: any) => `${s.filter}:${s.qos}`), ["a/+:1", "b/#:1"]);
    assert.equal(r.body.session.hasWill, false);
    assertError(await call("GET", "/api/v1/clients/nobody"), 404, /no client "nobody"/);
    assertError(await call("GET", "/api/v1/clients/%E0%A4%A"), 400, /percent-encoding/);
    assertError(await call("GET", "/api/v1/clients?limit=0"), 400, /"limit" must be an integer between 1 and 1000/);
    assertError(await call("GET", "/api/v1/clients?limit=abc"), 400, /limit/);
    assertError(await call("GET", "/api/v1/clients?offset=-1"), 400, /offset/);
    assertError(await call("GET", "/api/v1/clients?state=sleeping"), 400, /"state" must be one of connected, disconnected/);
    assertError(await call("GET", "/api/v1/clients?protocol=6"), 400, /protocol/);
  }));

test("subscriptions: every session's filters, searchable and paged", () =>
  withOps("", async ({ pool }, call) => {
    const a = await pool.connect({ clientId: "a" });
    const c = await pool.connect({ clientId: "c", protocolVersion: 5 });
    await subscribe(a, ["home/+/temp", "office/#"], { qos: 0 });
    await c.subscribeAsync("home/kitchen/#", { qos: 2, nl: true, properties: { subscriptionIdentifier: 7 } });
    let r = await call("GET", "/api/v1/subscriptions");
    assert.equal(r.body.total, 3);
    r = await call("GET", "/api/v1/subscriptions?search=home");
    assert.deepEqual(r.body.items.map((s: any) => `${s.clientId} ${s.filter} ${s.qos}`), ["a home/+/temp 0", "c home/kitchen/# 2"]);
    assert.equal(r.body.items[1].noLocal, true);
    assert.equal(r.body.items[1].subscriptionId, 7);
    assertError(await call("GET", "/api/v1/subscriptions?limit=5000"), 400, /limit/);
  }));

test("retained: list by filter, delete one topic without routing an empty message; bad filter/topic 400, unknown 404", () =>
  withOps("", async ({ b, pool }, call) => {
    const p = await pool.connect({ clientId: "p" });
    await p.publishAsync("home/kitchen/temp", "21.5", { qos: 1, retain: true });
    await p.publishAsync("home/hall/temp", Buffer.from([0xff, 0x00, 0xfe]), { qos: 0, retain: true });
    await p.publishAsync("office/temp", "19", { qos: 1, retain: true });
    const watcher = await pool.connect({ clientId: "w" });
    const live = collect(watcher);
    await subscribe(watcher, "home/#", { qos: 0 });
    await live.waitFor(2); // the two retained copies
    let r = await call("GET", "/api/v1/retained?filter=home/%2B/temp");
    assert.equal(r.body.total, 2);
    const byTopic = Object.fromEntries(r.body.items.map((m: any) => [m.topic, m]));
    assert.deepEqual(byTopic["home/kitchen/temp"], { topic: "home/kitchen/temp", qos: 1, bytes: 4, payload: "21.5", encoding: "utf8" });
    assert.deepEqual(byTopic["home/hall/temp"], { topic: "home/hall/temp", qos: 0, bytes: 3, payload: "/wD+", encoding: "base64" });
    r = await call("GET", "/api/v1/retained?limit=1");
    assert.equal(r.body.total, 3);
    assert.equal(r.body.items.length, 1);
    assertError(await call("GET", "/api/v1/retained?filter=a/%23/b"), 400, /invalid topic filter/);
    r = await call("DELETE", "/api/v1/retained?topic=home/kitchen/temp");
    assert.deepEqual(r.body, { deleted: "home/kitchen/temp" });
    assert.equal(b.broker.core.retained.size, 2);
    assertError(await call("DELETE", "/api/v1/retained?topic=home/kitchen/temp"), 404, /no retained message/);
    assertError(await call("DELETE", "/api/v1/retained?topic=home/%2B"), 400, /invalid topic name/);
    assertError(await call("DELETE", "/api/v1/retained"), 400, /"topic" is required/);
    assert.equal(live.length, 2, "deleting routes nothing to subscribers");
  }));

test("actions: disconnect keeps the session (v5 DISCONNECT 0x98, will published); DELETE also discards it", () =>
  withOps("", async ({ b, pool }, call) => {
    const watcher = await pool.connect({ clientId: "watcher" });
    const wills = collect(watcher);
    await subscribe(watcher, "wills/#", { qos: 0 });
    const victim = await pool.connect({ clientId: "victim", protocolVersion: 5, properties: { sessionExpiryInterval: 600 }, will: { topic: "wills/victim", payload: Buffer.from("gone"), qos: 0, retain: false } });
    const reason = new Promise<number>((r) => victim.on("disconnect", (p) => r(p.reasonCode ?? -1)));
    let r = await call("POST", "/api/v1/clients/victim/disconnect");
    assert.deepEqual(r.body, { disconnected: "victim" });
    assert.equal(await reason, 0x98);
    await wills.waitFor(1);
    assert.equal(wills[0].payload, "gone");
    r = await call("GET", "/api/v1/clients/victim");
    assert.equal(r.body.connected, false);
    r = await call("DELETE", "/api/v1/clients/victim");
    assert.deepEqual(r.body, { removed: "victim" });
    assert.equal(b.broker.core.sessions.get("victim"), undefined);
    assertError(await call("DELETE", "/api/v1/clients/victim"), 404, /no client/);
    assertError(await call("POST", "/api/v1/clients/victim/disconnect"), 404, /no client/);
    assertError(await call("GET", "/api/v1/clients/watcher/disconnect"), 405, /POST/);
    assertError(await call("PUT", "/api/v1/clients/watcher"), 405, /GET or DELETE/);
    assertError(await call("GET", "/api/v1/clients/watcher/explode"), 404, /no such route/);
  }));

test("routing: unknown route 404, wrong method 405 with Allow, overview JSON", () =>
  withOps("", async (_w, call) => {
    assertError(await call("GET", "/api/v2/nothing"), 404, /no route/);
    const r = await call("POST", "/metrics");
    assertError(r, 405, /POST is not allowed/);
    assert.equal(r.res.headers.get("allow"), "GET");
    const o = await call("GET", "/api/v1/overview");
    assert.equal(o.body.clients, 0);
    assert.ok(Array.isArray(o.body.history));
    assert.deepEqual(Object.keys(o.body.drops).sort(), ["backlog_full", "congested", "expired", "not_authorized", "offline", "queue_bytes", "queue_full", "too_large"]);
    const page = await call("GET", "/");
    assert.match(page.res.headers.get("content-type")!, /^text\/html/);
  }));

test("token: every route but the probes needs it; Bearer header or ?token= on GET; wrong token 401", () =>
  withOps("s3cret", async (_w, call) => {
    assert.equal((await call("GET", "/healthz")).status, 200);
    assert.equal((await call("GET", "/readyz")).status, 200);
    for (const path of ["/metrics", "/api/v1/clients", "/api/v1/clients/x", "/", "/api/v1/overview"]) {
      const r = await call("GET", path);
      assertError(r, 401, /bearer token is required/);
      assert.equal(r.res.headers.get("www-authenticate"), 'Bearer realm="vireo"');
    }
    assertError(await call("GET", "/metrics", { authorization: "Bearer wrong" }), 401, /token/);
    assertError(await call("GET", "/metrics", { authorization: "Basic czNjcmV0" }), 401, /token/);
    assert.equal((await call("GET", "/metrics", { authorization: "Bearer s3cret" })).status, 200);
    assert.equal((await call("GET", "/api/v1/clients?token=s3cret")).status, 200);
    assertError(await call("DELETE", "/api/v1/retained?topic=a&token=s3cret"), 401, /token/); // no token in URLs for actions
  }));

test("/readyz: \"storage\" fails while a commit fails (SQLite full) and recovers once it is retried", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-ready-"));
  const b = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir });
  const h = createOpsHandler(b, { log: () => {} });
  try {
    await b.listen();
    const ready = async () => (await (await h(new Request(`${BASE}/readyz`))).json()) as { status: string; failing?: string[] };
    assert.deepEqual(await ready(), { status: "ready" });
    // A real SQLite failure: the broker's own connection may not grow the file any more.
    const db = (b.core.journal!.log.backend as unknown as { db: { exec(sql: string): void; prepare(sql: string): { all(): Record<string, number>[] } } }).db;
    const pages = Number(Object.values(db.prepare("PRAGMA page_count").all()[0])[0]);
    db.exec(`PRAGMA max_page_count = ${pages}`);
    for (let i = 0; i < 50; i++) b.publish(`big/${i}`, new Uint8Array(64 * 1024), { retain: true });
    const until = async (status: string, ms: number) => {
      for (const end = Date.now() + ms; (await ready()).status !== status && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    };
    await until("not ready", 3000);
    assert.deepEqual(await ready(), { status: "not ready", failing: ["storage"] });
    db.exec("PRAGMA max_page_count = 1073741823");
    await until("ready", 5000); // the retry (after 1 s) commits
    assert.deepEqual(await ready(), { status: "ready" });
    assert.equal(b.storageHealthy, true);
  } finally {
    h.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
