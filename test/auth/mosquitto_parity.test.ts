// Side by side with Debian's Mosquitto 2.0: the same password file and ACL file, the same probes,
// the same decisions. Write: a v5 QoS 1 PUBLISH per topic, PUBACK 0x00 or 0x87. Read: a
// SUBSCRIBE to every topic, then admin publishes each one; which arrive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { withBroker } from "../helpers/setup.ts";
import { RawPool } from "../helpers/raw.ts";
import { freePort, sleep } from "../helpers/broker.ts";
import { ACL, makeAuthFiles, rawLogin, USERS } from "./fixtures.ts";

const EXTRA_ACL = `
user carol
pattern write $ctl/%u/#
topic read $ctl/#
topic readwrite +/carol/#
topic deny devices/carol/private
`;

const TOPICS = [
  "public/a", "public", "alice/x", "alice/secret/k", "bob/x", "shared/in", "shared/out", "will/alice",
  "devices/alice/1", "devices/bob/1", "devices/carol/1", "devices/carol/private", "clients/c1/inbox",
  "clients/alice-1/inbox", "clients/bobs-phone/inbox", "x/carol/y", "$ctl/carol/a", "$ctl/x", "other",
];
const PRINCIPALS: Array<[string, string | undefined, string | undefined]> = [
  ["c1", undefined, undefined], ["alice-1", "alice", USERS.alice], ["bobs-phone", "bob", USERS.bob],
  ["carol-1", "carol", "c4rol"],
];

/** Every principal's writable and readable topics on the broker at `port`. */
async function probe(port: number): Promise<Record<string, { write: string[]; read: string[] }>> {
  const raw = new RawPool(port);
  const out: Record<string, { write: string[]; read: string[] }> = {};
  try {
    const { c: admin, code } = await rawLogin(raw, 5, "admin-1", "admin", USERS.admin);
    assert.equal(code, 0);
    const readers = [];
    for (const [id, user, pass] of PRINCIPALS) {
      const { c, code: rc } = await rawLogin(raw, 5, id, user, pass);
      assert.equal(rc, 0, `${id} login`);
      let mid = 1;
      const write: string[] = [];
      for (const topic of TOPICS) {
        c.sendPacket({ cmd: "publish", topic, qos: 1, messageId: mid++, payload: "w" }, 5);
        if (((await c.next("puback")).reasonCode ?? 0) < 0x80) write.push(topic); // 0x10: allowed, no subscriber
      }
      c.sendPacket({ cmd: "subscribe", messageId: mid++, subscriptions: TOPICS.map((topic) => ({ topic, qos: 0 })) }, 5);
      await c.next("suback");
      c.packets.length = 0; // deliveries of the write probe (own subscriptions came later anyway)
      out[id] = { write, read: [] };
      readers.push([id, c] as const);
    }
    let mid = 1;
    for (const topic of TOPICS) admin.sendPacket({ cmd: "publish", topic, qos: 1, messageId: mid++, payload: "r" }, 5);
    for (let i = 0; i < TOPICS.length; i++) await admin.next("puback");
    await sleep(300);
    for (const [id, c] of readers) out[id].read = c.packets.filter((p) => p.cmd === "publish").map((p) => p.topic).sort();
  } finally {
    raw.destroyAll();
  }
  return out;
}


test("the same files give the same publish and receive decisions as Mosquitto 2.0", async () => {
  const files = makeAuthFiles(ACL + EXTRA_ACL);
  execFileSync("mosquitto_passwd", ["-b", files.passwordFile, "carol", "c4rol"]);
  const port = await freePort();
  const conf = join(files.dir, "mosquitto.conf");
  const user = spawnSync("id", ["-un"], { encoding: "utf8" }).stdout.trim();
  writeFileSync(conf, `user ${user}\nlistener ${port} 127.0.0.1\nallow_anonymous true\npassword_file ${files.passwordFile}\nacl_file ${files.aclFile}\n`);
  const mosq = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  mosq.stderr!.on("data", (d) => (log += String(d)));
  try {
    for (let i = 0; i < 50 && !/running/.test(log); i++) await sleep(100);
    assert.match(log, /running/);
    const theirs = await probe(port);
    let ours: Awaited<ReturnType<typeof probe>> | null = null;
    await withBroker({ passwordFile: files.passwordFile, aclFile: files.aclFile, allowAnonymous: true }, async ({ b }) => {
      ours = await probe(b.port);
    });
    assert.deepEqual(ours, theirs);
    assert.ok(theirs["carol-1"].write.includes("$ctl/carol/a")); // the probe can tell yes from no
    assert.ok(!theirs["c1"].write.includes("public/a"));
  } finally {
    if (mosq.exitCode === null) {
      process.kill(mosq.pid!, "SIGTERM");
      await new Promise((r) => mosq.once("exit", r));
    }
    files.remove();
  }
});
