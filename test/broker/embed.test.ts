// The package entry (src/index.ts) for embedders: Broker with options, listen/close, server-side
// publish, stats.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Broker, DEFAULT_CONFIG } from "../../src/index.ts";
import { ClientPool, collect, subscribe } from "../helpers/mqtt.ts";

test("an embedder starts a Broker from the package entry, publishes server-side, reads stats, closes", async () => {
  const broker = new Broker({ host: "127.0.0.1", port: 0, log: () => {} });
  const { host, port } = await broker.listen();
  const pool = new ClientPool(port);
  try {
    assert.equal(host, "127.0.0.1");
    assert.ok(port > 0 && port !== DEFAULT_CONFIG.port);
    const c = await pool.connect({ clientId: "c" });
    const got = collect(c);
    await subscribe(c, "srv/#", { qos: 1 });
    broker.publish("srv/live", "hello", { qos: 1 });
    broker.publish("srv/kept", "stay", { retain: true });
    await got.waitFor(2);
    assert.deepEqual(got.map((m) => [m.topic, m.payload]), [["srv/live", "hello"], ["srv/kept", "stay"]]);
    assert.throws(() => broker.publish("bad/#", "x"), RangeError);
    assert.equal(broker.stats.clients, 1);
    assert.ok(broker.stats.publishesSent >= 2);
  } finally {
    await pool.endAll();
    await broker.close();
  }
});
