// The package entry (src/index.ts) for embedders: Broker with options, listen/close, server-side
// publish, stats.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Broker, DEFAULT_CONFIG } from "../../src/index.ts";
import { Buffer } from "node:buffer";
import { ClientPool, collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket, RawClient } from "../helpers/raw.ts";

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

test("hooks: authenticate refuses bad credentials (3.1.1 return code 4, v5 0x86); connect/disconnect are reported", async () => {
  const events: string[] = [];
  const broker = new Broker({
    host: "127.0.0.1", port: 0, log: () => {},
    hooks: {
      authenticate: (info) => (info.username === "alice" && new TextDecoder().decode(info.password) === "secret" ? 0 : 0x86),
      onConnect: (info, present) => events.push(`connect ${info.clientId} v${info.level} ${present}`),
      onDisconnect: (id, withWill) => events.push(`disconnect ${id} ${withWill}`),
    },
  });
  const { port } = await broker.listen();
  const pool = new ClientPool(port);
  const raws: RawClient[] = [];
  try {
    const bad4 = await RawClient.open(port, 4);
    raws.push(bad4);
    bad4.sendPacket(connectPacket("bad4", 4, { username: "alice", password: Buffer.from("nope") }));
    assert.equal((await bad4.next("connack")).returnCode, 4);
    assert.ok(await bad4.waitClosed());
    const bad5 = await RawClient.open(port, 5);
    raws.push(bad5);
    bad5.sendPacket(connectPacket("bad5", 5, { username: "bob", password: Buffer.from("x") }), 5);
    assert.equal((await bad5.next("connack")).reasonCode, 0x86);
    assert.ok(await bad5.waitClosed());
    const ok = await pool.connect({ clientId: "good", username: "alice", password: "secret" });
    await ok.endAsync();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(events, ["connect good v4 false", "disconnect good false"]);
  } finally {
    for (const r of raws) r.destroy();
    await pool.endAll();
    await broker.close();
  }
});
