// Smoke: CONNECT / SUBSCRIBE / PUBLISH end to end over TCP with MQTT.js, 3.1.1 and 5.0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBroker } from "../helpers/broker.ts";
import { ClientPool, collect, subscribe } from "../helpers/mqtt.ts";

for (const protocolVersion of [4, 5] as const) {
  test(`v${protocolVersion}: subscriber receives a QoS 0 and a QoS 1 publish`, async () => {
    const b = await startBroker();
    const pool = new ClientPool(b.port);
    try {
      const sub = await pool.connect({ protocolVersion, clientId: "sub" });
      const got = collect(sub);
      assert.deepEqual(await subscribe(sub, "a/+", { qos: 1 }), [1]);
      const pub = await pool.connect({ protocolVersion, clientId: "pub" });
      await pub.publishAsync("a/b", "zero", { qos: 0 });
      await pub.publishAsync("a/c", "one", { qos: 1 });
      await got.waitFor(2);
      assert.deepEqual(got.map((m) => [m.topic, m.payload, m.qos, m.retain]), [["a/b", "zero", 0, false], ["a/c", "one", 1, false]]);
    } finally {
      await pool.endAll();
      await b.close();
    }
  });
}
