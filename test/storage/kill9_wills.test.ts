// kill -9 and deadlines: a will with a delay whose connection died with the broker fires after the
// restart, once its delay has run from the restart; a session whose expiry passed while the broker
// was down is gone; one that has not expired is back with its subscription.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "../helpers/broker.ts";
import { connectPacket, RawClient } from "../helpers/raw.ts";
import { startCli } from "./cli_process.ts";

async function open5(port: number, id: string, extra: Record<string, unknown>): Promise<{ c: RawClient; ack: any }> {
  const c = await RawClient.open(port, 5);
  c.sendPacket(connectPacket(id, 5, extra), 5);
  return { c, ack: await c.next("connack") };
}

test("kill -9: a delayed will fires after the restart at its delay; an expired session is gone, a live one is back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-kill9w-"));
  try {
    let b = startCli(dir);
    let port = await b.ready;
    const watcher = await open5(port, "watcher", { clean: false, properties: { sessionExpiryInterval: 3600 } });
    watcher.c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "will/#", qos: 1 }] }, 5);
    await watcher.c.next("suback");
    watcher.c.destroy();
    // Its connection dies with the broker: its will (delay 2 s) must go out 2 s after the restart.
    const dev = await open5(port, "dev", {
      clean: false, properties: { sessionExpiryInterval: 3600 },
      will: { topic: "will/dev", payload: Buffer.from("dev lost"), qos: 1, retain: false, properties: { willDelayInterval: 2 } },
    });
    // Expires 1 s after its disconnect, while the broker is down.
    const brief = await open5(port, "brief", { clean: false, properties: { sessionExpiryInterval: 1 } });
    brief.c.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "x", qos: 1 }] }, 5);
    await brief.c.next("suback");
    brief.c.sendPacket({ cmd: "disconnect" }, 5);
    await brief.c.waitClosed();
    await sleep(100); // the disconnect's deadline is committed
    b.kill("SIGKILL");
    assert.equal(await b.exited, null);
    dev.c.destroy();
    await sleep(1200);
    b = startCli(dir);
    port = await b.ready;
    const restarted = Date.now();
    const w = await open5(port, "watcher", { clean: false, properties: { sessionExpiryInterval: 3600 } });
    assert.equal(w.ack.sessionPresent, true);
    const will = await w.c.next("publish", 5000);
    const after = Date.now() - restarted;
    assert.equal(will.topic, "will/dev");
    assert.equal(String(will.payload), "dev lost");
    assert.ok(after >= 1500, `the will came ${after} ms after the restart, before its 2 s delay`);
    assert.equal((await open5(port, "brief", { clean: false, properties: { sessionExpiryInterval: 1 } })).ack.sessionPresent, false);
    const d = await open5(port, "dev", { clean: false, properties: { sessionExpiryInterval: 3600 } });
    assert.equal(d.ack.sessionPresent, true);
    for (const c of [w.c, d.c]) c.destroy();
    b.kill("SIGTERM");
    assert.equal(await b.exited, 0, b.stderr());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
