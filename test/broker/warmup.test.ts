// JIT warm-up (src/broker/warmup.ts): the broker sends itself messages on a `$` topic through its
// real socket path, leaves no trace (counters restored, no session, nothing retained, no will),
// and a `#` subscriber never sees them [MQTT-4.7.2-1].
import { test } from "node:test";
import assert from "node:assert/strict";
import { Broker } from "../../src/index.ts";
import { ClientPool, collect, subscribe } from "../helpers/mqtt.ts";
import { sleep, waitFor } from "../helpers/broker.ts";

test("warm-up routes its messages through the broker and leaves counters, sessions and retained store as they were", async () => {
  const broker = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, sysInterval: 0 });
  const { port } = await broker.listen();
  const pool = new ClientPool(port);
  try {
    const all = await pool.connect({ clientId: "all" });
    const spy = await pool.connect({ clientId: "spy" });
    const everything = collect(all);
    const warm = collect(spy);
    await subscribe(all, "#", { qos: 1 });
    await subscribe(spy, "$vireo/warmup", { qos: 0 });
    const retainedSpy = await pool.connect({ clientId: "retained-spy" });
    const retained = collect(retainedSpy);
    await subscribe(retainedSpy, "$vireo/warmup-retained/#", { qos: 0 });
    const before = { ...broker.stats };
    await broker.warmUp(3000);
    await waitFor(() => warm.length >= 3000, "the spy to see 3000 warm-up messages");
    // The retained phase (3000 / 25 = 120 topics): each stored, then deleted by an empty payload.
    await waitFor(() => retained.length >= 240, "the retained spy to see 120 stores and 120 deletions");
    assert.equal(retained.filter((m) => m.payload.length > 0).length, 120);
    await sleep(50);
    assert.equal(everything.length, 0, "a '#' subscriber never matches a '$' topic");
    assert.deepEqual({ ...broker.stats }, before, "counters are restored");
    assert.equal(broker.core.sessions.size, 3, "only the three test clients have sessions");
    assert.equal(broker.core.retained.size, 0);
  } finally {
    await pool.endAll();
    await broker.close();
  }
});

test("warm-up before listen() (as the CLI does) leaves no session, counter or retained message behind", async () => {
  const broker = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, sysInterval: 0 });
  await broker.warmUp(2000);
  await broker.warmUp(0); // disabled: nothing happens
  await broker.listen();
  try {
    assert.equal(broker.core.sessions.size, 0);
    assert.equal(broker.core.retained.size, 0);
    assert.equal(broker.stats.publishesReceived, 0);
    assert.equal(broker.stats.clients, 0);
  } finally {
    await broker.close();
  }
});

test("warm-up keeps to the broker's limits: maximum QoS 0, no retain, a small retained backlog", async () => {
  for (const limits of [{ maximumQoS: 0 as const }, { retainAvailable: false }, { maxRetainedBacklog: 10 }]) {
    const logged: string[] = [];
    const broker = new Broker({ host: "127.0.0.1", port: 0, log: (m) => logged.push(m), sysInterval: 0, ...limits });
    const { port } = await broker.listen();
    const pool = new ClientPool(port);
    try {
      const spy = await pool.connect({ clientId: "spy" });
      const warm = collect(spy);
      await subscribe(spy, "$vireo/warmup", { qos: 0 });
      await broker.warmUp(3000);
      await waitFor(() => warm.length >= 3000, `all 3000 warm-up messages with ${JSON.stringify(limits)}`);
      assert.equal(broker.core.retained.size, 0, `nothing left retained with ${JSON.stringify(limits)}`);
      assert.deepEqual(logged, [], "no packet of the warm-up was refused");
    } finally {
      await pool.endAll();
      await broker.close();
    }
  }
});

test("warm-up sends through a v5 connection with outbound topic aliases (so that path is compiled too), none when they are off", async () => {
  for (const outboundTopicAliasMaximum of [32, 0]) {
    const broker = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, outboundTopicAliasMaximum });
    // The warm-up's connections live only while it runs: look at them between its ticks.
    const seen: Array<{ level: number; aliases: number | null }> = [];
    const look = setInterval(() => {
      for (const s of broker.core.sessions.values()) {
        const link = s.link;
        if (link !== null && link.level === 5) seen.push({ level: link.level, aliases: link.outboundAliases?.size ?? null });
      }
    }, 1);
    try {
      await broker.warmUp(20_000);
    } finally {
      clearInterval(look);
      await broker.close();
    }
    assert.ok(seen.length > 0, "a v5 warm-up connection was seen");
    if (outboundTopicAliasMaximum > 0) assert.ok(seen.some((x) => x.aliases === 1), `its one topic got an alias: ${JSON.stringify(seen.slice(-3))}`);
    else assert.ok(seen.every((x) => x.aliases === null), "no alias table when outboundTopicAliasMaximum is 0");
  }
});
