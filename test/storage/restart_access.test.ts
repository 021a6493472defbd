// Durable sessions under access control: the user a stored session belongs to survives a restart,
// so messages for it while it is offline are checked against that user's rules (not refused as
// from an unknown client), and another user's topics stay closed to it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { Broker } from "../../src/broker/broker.ts";
import { sleep } from "../helpers/broker.ts";
import { connectPacket, RawClient } from "../helpers/raw.ts";
import { makeAuthFiles, USERS } from "../auth/fixtures.ts";

const files = makeAuthFiles();
const dir = mkdtempSync(join(tmpdir(), "vireo-restart-acl-"));
after(() => {
  files.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function broker(): Promise<{ b: Broker; port: number }> {
  const b = new Broker({
    host: "127.0.0.1", port: 0, log: () => {}, persistence: true, persistenceLocation: dir, sysInterval: 0,
    passwordFile: files.passwordFile, aclFile: files.aclFile,
  });
  const { port } = await b.listen();
  return { b, port };
}

async function login(port: number, id: string, user: keyof typeof USERS, extra: Record<string, unknown> = {}): Promise<RawClient> {
  const c = await RawClient.open(port, 4);
  c.sendPacket(connectPacket(id, 4, { username: user, password: Buffer.from(USERS[user]), ...extra }));
  assert.equal((await c.next("connack")).returnCode, 0);
  return c;
}

test("a stored session keeps its user across a restart: its offline deliveries follow that user's ACL", async () => {
  let { b, port } = await broker();
  const bob = await login(port, "bob-dev", "bob", { clean: false });
  bob.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "alice/#", qos: 1 }, { topic: "bob/#", qos: 1 }] });
  assert.deepEqual((await bob.next("suback")).granted, [1, 1]);
  bob.sendPacket({ cmd: "disconnect" });
  await bob.waitClosed();
  await b.close();

  ({ b, port } = await broker());
  try {
    const alice = await login(port, "alice-pub", "alice");
    for (const [id, topic] of [[1, "alice/status"], [2, "alice/secret/key"]] as const) {
      alice.sendPacket({ cmd: "publish", topic, payload: `m${id}`, qos: 1, messageId: id });
      await alice.next("puback");
    }
    const back = await login(port, "bob-dev", "bob", { clean: false });
    const got = await back.next("publish");
    assert.equal(got.topic, "alice/status"); // bob may read alice/#: queued while offline, across the restart
    await sleep(200);
    const more = back.packets.filter((p: { cmd: string }) => p.cmd === "publish");
    assert.equal(more.length, 0, "alice/secret/# is denied to its publisher's readers too: never queued for bob");
    back.destroy();
    alice.destroy();
  } finally {
    await b.close();
  }
});
