// $SYS is read subject to the ACL (Mosquitto's ACL file): the tree goes through the router like
// any publication, so only clients allowed to read $SYS/# get it, retained or live.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/broker.ts";
import { collect } from "../helpers/mqtt.ts";
import { withBroker } from "../helpers/setup.ts";
import { makeAuthFiles, subscribeCodes, USERS } from "../auth/fixtures.ts";

test("$SYS through the ACL: admin (topic read $SYS/#) gets the tree, anonymous and alice are refused or get nothing", async () => {
  const files = makeAuthFiles();
  try {
    await withBroker({ sysInterval: 1, passwordFile: files.passwordFile, aclFile: files.aclFile, allowAnonymous: true }, async ({ pool }) => {
      const admin = await pool.connect({ clientId: "admin-c", username: "admin", password: USERS.admin });
      const alice = await pool.connect({ clientId: "alice-c", username: "alice", password: USERS.alice });
      const anon = await pool.connect({ clientId: "anon-c" });
      const seen = { admin: collect(admin), alice: collect(alice), anon: collect(anon) };
      assert.deepEqual(await subscribeCodes(admin, "$SYS/broker/#"), [0]);
      const aliceCodes = await subscribeCodes(alice, "$SYS/broker/#");
      const anonCodes = await subscribeCodes(anon, "$SYS/broker/#");
      await sleep(1300); // the retained tree, then one live update
      assert.ok(seen.admin.some((m) => m.topic === "$SYS/broker/uptime"), "admin reads $SYS");
      assert.ok(seen.admin.some((m) => m.topic === "$SYS/broker/clients/connected" && m.retain), "retained values too");
      // Neither may read $SYS: refused at SUBSCRIBE, and nothing arrives.
      assert.deepEqual(aliceCodes, [0x80], "refused at SUBSCRIBE (3.1.1 failure code)");
      assert.deepEqual(anonCodes, [0x80]);
      assert.deepEqual(seen.alice.map((m) => m.topic), []);
      assert.deepEqual(seen.anon.map((m) => m.topic), []);
    });
  } finally {
    files.remove();
  }
});
