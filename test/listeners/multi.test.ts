// Several listeners, one broker: delivery across mqtt, mqtts, ws and wss; session takeover across
// listeners; per-listener maxConnections; every bound address reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { MqttClient } from "mqtt";
import { startBroker, waitFor } from "../helpers/broker.ts";
import { ClientPool, collect, subscribe } from "../helpers/mqtt.ts";
import type { ConnectInfo } from "../../src/broker/hooks.ts";
import { cert, listener } from "./certs.ts";

const ca = readFileSync(cert("ca.crt"));
const KINDS = ["mqtt", "mqtts", "ws", "wss"] as const;

/** MQTT.js options reaching listener `kind` on `port`. */
function via(kind: typeof KINDS[number], port: number, clientId: string) {
  return { protocol: kind, host: kind === "mqtts" || kind === "wss" ? "localhost" : "127.0.0.1", port, ca, clientId, path: "/mqtt" };
}

test("four listeners: listen() reports each; every kind receives what every other kind publishes", async () => {
  const kinds: string[] = [];
  const b = await startBroker({ listeners: KINDS.map((k) => listener(k)), hooks: { onConnect: (i: ConnectInfo) => kinds.push(i.listener) } });
  const pool = new ClientPool(b.port);
  try {
    assert.deepEqual(b.listeners.map((l) => l.protocol), [...KINDS]);
    assert.equal(new Set(b.listeners.map((l) => l.port)).size, 4);
    const subs: ReturnType<typeof collect>[] = [];
    const clients: MqttClient[] = [];
    for (const [i, k] of KINDS.entries()) {
      const c = await pool.connect(via(k, b.listeners[i].port, `c-${k}`));
      subs.push(collect(c));
      await subscribe(c, "all/#", { qos: 1 });
      clients.push(c);
    }
    for (const [i, c] of clients.entries()) await c.publishAsync(`all/${KINDS[i]}`, `from ${KINDS[i]}`, { qos: 1 });
    for (const got of subs) {
      await got.waitFor(4);
      assert.deepEqual(got.map((m) => m.payload).sort(), KINDS.map((k) => `from ${k}`).sort());
    }
    assert.deepEqual(kinds.sort(), [...KINDS].sort());
  } finally {
    await pool.endAll();
    await b.close();
  }
});

test("takeover across listeners: the same client id on wss replaces its mqtts connection, session kept", async () => {
  const b = await startBroker({ listeners: [listener("mqtts"), listener("wss")] });
  const pool = new ClientPool(b.port);
  try {
    const first = await pool.connect({ ...via("mqtts", b.listeners[0].port, "dev"), clean: false });
    await subscribe(first, "keep/#", { qos: 1 });
    const closed = new Promise<void>((r) => first.once("close", () => r()));
    const second = await pool.connect({ ...via("wss", b.listeners[1].port, "dev"), clean: false });
    await closed;
    const got = collect(second);
    const pub = await pool.connect(via("mqtts", b.listeners[0].port, "pub"));
    await pub.publishAsync("keep/1", "kept", { qos: 1 });
    await got.waitFor(1);
    assert.equal(got[0].payload, "kept");
  } finally {
    await pool.endAll();
    await b.close();
  }
});

test("per-listener maxConnections: the capped listener refuses the extra client, the others still accept", async () => {
  const b = await startBroker({ listeners: [listener("mqtt", { maxConnections: 2 }), listener("ws", { maxConnections: 1 }), listener("mqtt")] });
  const pool = new ClientPool(b.port);
  try {
    const [capped, ws, free] = b.listeners;
    await pool.connect({ port: capped.port, clientId: "a" });
    await pool.connect({ port: capped.port, clientId: "b" });
    await assert.rejects(pool.connect({ port: capped.port, clientId: "c", connectTimeout: 2000 }));
    await pool.connect(via("ws", ws.port, "w1"));
    await assert.rejects(pool.connect({ ...via("ws", ws.port, "w2"), connectTimeout: 2000 }));
    await pool.connect({ port: free.port, clientId: "d" });
    await waitFor(() => b.broker.stats.clients === 4, "4 connected clients");
  } finally {
    await pool.endAll();
    await b.close();
  }
});
