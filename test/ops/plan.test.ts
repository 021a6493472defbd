// Where the CLI mounts the operations routes (planOps): http and ws listeners, loopback or not,
// with or without apiToken; --http adds an http listener.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_CONFIG, mergeConfig } from "../../src/config/config.ts";
import { ConfigError } from "../../src/config/validate.ts";
import { planOps } from "../../src/ops/cli_server.ts";

const cfg = (o: object) => mergeConfig(DEFAULT_CONFIG, o);
const mqtt = { host: "0.0.0.0", port: 1883, protocol: "mqtt" as const };

test("planOps: no web listener → nothing mounted; --http adds a loopback http listener and mounts", () => {
  assert.deepEqual(planOps(cfg({})), { listeners: [{ host: DEFAULT_CONFIG.host, port: 1883, protocol: "mqtt" }], serve: false });
  const p = planOps(cfg({ httpListen: "127.0.0.1:8080" }));
  assert.equal(p.serve, true);
  assert.deepEqual(p.listeners.at(-1), { host: "127.0.0.1", port: 8080, protocol: "http", origin: "httpListen" });
  assert.throws(() => planOps(cfg({ httpListen: "8080" })), /"httpListen" must be HOST:PORT/);
});

test("planOps: an open http listener needs a token; an open ws listener without one mounts nothing, with a warning", () => {
  assert.throws(() => planOps(cfg({ listeners: [mqtt, { host: "0.0.0.0", port: 9090, protocol: "http" }] })),
    (e: Error) => e instanceof ConfigError && /http listener 0\.0\.0\.0:9090 is reachable/.test(e.message));
  const ws = planOps(cfg({ listeners: [mqtt, { host: "0.0.0.0", port: 8080, protocol: "ws" }, { host: "127.0.0.1", port: 9090, protocol: "http" }] }));
  assert.equal(ws.serve, false);
  assert.match(ws.warning!, /not served: the ws listener 0\.0\.0\.0:8080 is reachable from other machines/);
  const tok = planOps(cfg({ apiToken: "t", listeners: [mqtt, { host: "0.0.0.0", port: 8080, protocol: "ws" }, { host: "0.0.0.0", port: 9090, protocol: "http" }] }));
  assert.equal(tok.serve, true);
  assert.equal(tok.warning, undefined);
  assert.equal(planOps(cfg({ listeners: [mqtt, { host: "127.0.0.1", port: 8080, protocol: "ws" }] })).serve, true, "loopback ws: mounted");
});
