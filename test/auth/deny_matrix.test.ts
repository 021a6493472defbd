// The deny matrix over real sockets: a password file made by mosquitto_passwd ($7$ and $6$ users)
// and an ACL file. Every denial asserts the reason code AND that a watcher allowed to read
// everything (admin on '#') received nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withBroker, type World } from "../helpers/setup.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { sleep } from "../helpers/broker.ts";
import { Buffer } from "node:buffer";
import process from "node:process";
import { execFileSync } from "node:child_process";
import { type AuthFiles, makeAuthFiles, rawLogin, subscribeCodes, USERS } from "./fixtures.ts";

const files = makeAuthFiles();
process.on("exit", () => files.remove());
const config = { passwordFile: files.passwordFile, aclFile: files.aclFile };

/** A broker on its own password and ACL files (`acl`), which the test may rewrite; removed after. */
async function withOwnFiles(acl: string | undefined, body: (w: World & { own: AuthFiles }) => Promise<void>): Promise<void> {
  const own = makeAuthFiles(acl);
  try {
    await withBroker({ passwordFile: own.passwordFile, aclFile: own.aclFile }, (w) => body({ ...w, own }));
  } finally {
    own.remove();
  }
}

test("CONNECT: anonymous 0x87 / 5 (allowAnonymous defaults to false), wrong password and unknown user 0x86 / 4, $7$ and $6$ users 0", async () => {
  await withBroker(config, async ({ raw }) => {
    for (const level of [4, 5]) {
      const refused = level >= 5 ? { anon: 0x87, bad: 0x86 } : { anon: 5, bad: 4 };
      assert.equal((await rawLogin(raw, level, `anon${level}`)).code, refused.anon);
      assert.equal((await rawLogin(raw, level, `w${level}`, "alice", "wrong")).code, refused.bad);
      assert.equal((await rawLogin(raw, level, `u${level}`, "nobody", "x")).code, refused.bad);
      assert.equal((await rawLogin(raw, level, `np${level}`, "alice")).code, refused.bad); // user name, no password
      assert.equal((await rawLogin(raw, level, `a${level}`, "alice", USERS.alice)).code, 0); // $7$
      assert.equal((await rawLogin(raw, level, `b${level}`, "bob", USERS.bob)).code, 0); // $6$
    }
  });
});

test("allowAnonymous: true lets anonymous clients in with the anonymous ACL rules", async () => {
  await withBroker({ ...config, allowAnonymous: true }, async ({ pool }) => {
    const watcher = await pool.connect({ username: "admin", password: USERS.admin, clientId: "w" });
    const seen = collect(watcher);
    await subscribe(watcher, "#");
    const anon = await pool.connect({ clientId: "anon" });
    assert.deepEqual(await subscribeCodes(anon, "public/#"), [0]);
    assert.deepEqual(await subscribeCodes(anon, "alice/#"), [128]); // 3.1.1 SUBACK failure
    const got = collect(anon);
    await watcher.publishAsync("public/news", "hi");
    await watcher.publishAsync("alice/x", "not for anon");
    await got.waitFor(1);
    await seen.waitFor(2);
    await anon.publishAsync("public/news", "anon may not write", { qos: 1 }); // 3.1.1: plain PUBACK
    await sleep(100);
    assert.deepEqual(got.map((m) => m.topic), ["public/news"]);
    assert.equal(seen.length, 2);
  });
});

test("PUBLISH to a topic not writable: v5 PUBACK/PUBREC 0x87, 3.1.1 plain acks; never routed or retained", async () => {
  await withBroker(config, async ({ raw, pool }) => {
    const watcher = await pool.connect({ username: "admin", password: USERS.admin, clientId: "w" });
    const seen = collect(watcher);
    await subscribe(watcher, "#", { qos: 2 });
    const { c: v5 } = await rawLogin(raw, 5, "a5", "alice", USERS.alice);
    v5.sendPacket({ cmd: "publish", topic: "bob/x", qos: 1, messageId: 1, payload: "no", retain: true }, 5);
    assert.equal((await v5.next("puback")).reasonCode, 0x87);
    v5.sendPacket({ cmd: "publish", topic: "alice/secret/k", qos: 2, messageId: 2, payload: "no" }, 5); // deny over alice/#
    assert.equal((await v5.next("pubrec")).reasonCode, 0x87);
    v5.sendPacket({ cmd: "publish", topic: "shared/out", qos: 0, payload: "read-only topic" }, 5);
    const { c: v4 } = await rawLogin(raw, 4, "a4", "alice", USERS.alice);
    v4.sendPacket({ cmd: "publish", topic: "bob/y", qos: 1, messageId: 3, payload: "no", retain: true });
    assert.equal((await v4.next("puback")).messageId, 3);
    v4.sendPacket({ cmd: "publish", topic: "bob/z", qos: 2, messageId: 4, payload: "no" });
    await v4.next("pubrec");
    v4.sendPacket({ cmd: "pubrel", messageId: 4 });
    await v4.next("pubcomp"); // the 3.1.1 exchange completes as usual
    // Allowed ones go through (and prove the watcher would have seen the others).
    v5.sendPacket({ cmd: "publish", topic: "alice/ok", qos: 1, messageId: 5, payload: "yes" }, 5);
    assert.equal((await v5.next("puback")).reasonCode ?? 0, 0);
    await seen.waitFor(1);
    await sleep(100);
    assert.deepEqual(seen.map((m) => m.topic), ["alice/ok"]);
    // Nothing denied was retained.
    const late = await pool.connect({ username: "admin", password: USERS.admin, clientId: "late" });
    const lateSeen = collect(late);
    await subscribe(late, "#");
    await sleep(100);
    assert.equal(lateSeen.length, 0);
  });
});

test("SUBSCRIBE: 0x87 (v5) / 0x80 (3.1.1) for each filter not readable, others granted in the same packet", async () => {
  await withBroker(config, async ({ raw }) => {
    const filters = ["alice/#", "bob/#", "shared/out", "shared/in", "alice/secret/#", "#"];
    const { c: v5 } = await rawLogin(raw, 5, "a5", "alice", USERS.alice);
    v5.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: filters.map((topic) => ({ topic, qos: 1 })) }, 5);
    assert.deepEqual((await v5.next("suback")).granted, [1, 0x87, 1, 0x87, 0x87, 1]);
    const { c: v4 } = await rawLogin(raw, 4, "a4", "alice", USERS.alice);
    v4.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: filters.map((topic) => ({ topic, qos: 1 })) });
    assert.deepEqual((await v4.next("suback")).granted, [1, 0x80, 1, 0x80, 0x80, 1]);
  });
});

test("read access gates live deliveries, retained messages on subscribe and queued messages", async () => {
  await withBroker(config, async ({ raw, pool }) => {
    const admin = await pool.connect({ username: "admin", password: USERS.admin, clientId: "adm" });
    for (const t of ["alice/r", "alice/secret/r", "bob/r"]) await admin.publishAsync(t, `retained ${t}`, { retain: true, qos: 1 });
    const alice = await pool.connect({ username: "alice", password: USERS.alice, clientId: "al", protocolVersion: 5 });
    const got = collect(alice);
    await subscribe(alice, "#", { qos: 1 }); // granted: it overlaps alice/#; each delivery is checked
    await got.waitFor(1);
    await sleep(100);
    assert.deepEqual(got.map((m) => [m.topic, m.retain]), [["alice/r", true]]);
    got.length = 0;
    for (const t of ["bob/live", "alice/secret/live", "alice/live"]) await admin.publishAsync(t, "x", { qos: 1 });
    await got.waitFor(1);
    await sleep(100);
    assert.deepEqual(got.map((m) => m.topic), ["alice/live"]);
    // Offline: bob's persistent session queues only what he may read.
    const bob = await pool.connect({ username: "bob", password: USERS.bob, clientId: "bq", clean: false });
    assert.deepEqual(await subscribe(bob, "+/q", { qos: 1 }), [1]);
    await new Promise<void>((r) => bob.end(false, {}, () => r()));
    for (const t of ["alice/q", "bob/q", "public/q"]) await admin.publishAsync(t, "queued", { qos: 1 });
    const { c: back } = await rawLogin(raw, 4, "bq", "bob", USERS.bob, { clean: false });
    const queued = [(await back.next("publish")).topic, (await back.next("publish")).topic];
    await sleep(100);
    assert.deepEqual(queued.sort(), ["alice/q", "bob/q"]);
    assert.equal(back.packets.filter((p) => p.cmd === "publish").length, 0);
  });
});

test("wills: published only when the owner may write the will topic (checked when it is published)", async () => {
  await withBroker(config, async ({ raw, pool }) => {
    const watcher = await pool.connect({ username: "admin", password: USERS.admin, clientId: "w" });
    const seen = collect(watcher);
    await subscribe(watcher, "#");
    const will = (topic: string) => ({ will: { topic, payload: Buffer.from("gone"), qos: 0, retain: true } });
    const { c: denied } = await rawLogin(raw, 4, "wd", "alice", USERS.alice, will("bob/will"));
    const { c: allowed } = await rawLogin(raw, 4, "wa", "alice", USERS.alice, will("will/alice"));
    denied.destroy();
    allowed.destroy();
    await seen.waitFor(1);
    await sleep(150);
    assert.deepEqual(seen.map((m) => m.topic), ["will/alice"]);
    const late = await pool.connect({ username: "admin", password: USERS.admin, clientId: "late" });
    const lateSeen = collect(late);
    await subscribe(late, "#");
    await lateSeen.waitFor(1);
    await sleep(100);
    assert.deepEqual(lateSeen.map((m) => m.topic), ["will/alice"]); // the denied will was not retained either
  });
});

test("patterns: %u and %c are the client's own user name and client id", async () => {
  await withBroker(config, async ({ raw, pool }) => {
    const watcher = await pool.connect({ username: "admin", password: USERS.admin, clientId: "w" });
    const seen = collect(watcher);
    await subscribe(watcher, "#");
    const { c } = await rawLogin(raw, 5, "bobs-phone", "bob", USERS.bob);
    c.sendPacket({ cmd: "publish", topic: "devices/alice/x", qos: 1, messageId: 1, payload: "no" }, 5);
    assert.equal((await c.next("puback")).reasonCode, 0x87);
    c.sendPacket({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "clients/bobs-phone/inbox", qos: 0 }, { topic: "clients/other/inbox", qos: 0 }] }, 5);
    assert.deepEqual((await c.next("suback")).granted, [0, 0x87]);
    c.sendPacket({ cmd: "publish", topic: "devices/bob/x", qos: 1, messageId: 3, payload: "yes" }, 5);
    assert.equal((await c.next("puback")).reasonCode ?? 0, 0);
    await seen.waitFor(1);
    await watcher.publishAsync("clients/bobs-phone/inbox", "for you");
    await c.next("publish");
    await sleep(100);
    assert.deepEqual(seen.map((m) => m.topic), ["devices/bob/x", "clients/bobs-phone/inbox"]);
  });
});

test("reload: a new rule applies to connected clients' next decision; a broken file keeps the old rules", async () => {
  await withOwnFiles(undefined, async ({ b, raw, own }) => {
    const { c } = await rawLogin(raw, 5, "a5", "alice", USERS.alice);
    const pub = async (topic: string, id: number) => {
      c.sendPacket({ cmd: "publish", topic, qos: 1, messageId: id, payload: "x" }, 5);
      const code = (await c.next("puback")).reasonCode ?? 0;
      return code === 0x10 ? 0 : code; // 0x10: allowed, nobody subscribed
    };
    assert.equal(await pub("alice/a", 1), 0);
    assert.equal(await pub("news/a", 2), 0x87);
    own.writeAcl("user alice\ntopic write news/#\n");
    assert.deepEqual(b.broker.reload(), []);
    assert.equal(await pub("news/a", 3), 0); // the cached "no" was dropped
    assert.equal(await pub("alice/a", 4), 0x87);
    own.writeAcl("user alice\ntopic write alice/#\nbogus line\n");
    const errors = b.broker.reload();
    assert.equal(errors.length, 1);
    assert.match(errors[0], /acl:3: unknown keyword "bogus"/);
    assert.equal(await pub("news/b", 5), 0); // old rules kept, not opened, not closed
    assert.equal(await pub("alice/b", 6), 0x87);
  });
});

test("reload: a subscriber whose filter was wholly readable is checked again under the new rules", async () => {
  await withOwnFiles("user alice\ntopic readwrite alice/#\nuser admin\ntopic readwrite #\n", async ({ b, pool, own }) => {
    const admin = await pool.connect({ username: "admin", password: USERS.admin, clientId: "adm" });
    const alice = await pool.connect({ username: "alice", password: USERS.alice, clientId: "al" });
    const got = collect(alice);
    assert.deepEqual(await subscribe(alice, "alice/+/x", { qos: 1 }), [1]); // wholly readable: not checked per message
    await admin.publishAsync("alice/b/x", "before", { qos: 1 });
    await got.waitFor(1);
    own.writeAcl("user alice\ntopic deny alice/b/#\ntopic readwrite alice/#\nuser admin\ntopic readwrite #\n");
    assert.deepEqual(b.broker.reload(), []);
    for (const t of ["alice/b/x", "alice/a/x"]) await admin.publishAsync(t, "after", { qos: 1 });
    await got.waitFor(2);
    await sleep(100);
    assert.deepEqual(got.map((m) => `${m.topic} ${m.payload}`), ["alice/b/x before", "alice/a/x after"]);
  });
});

test("reload: a client whose password file entry was removed or changed is disconnected (v5 DISCONNECT 0x87), the others stay", async () => {
  await withOwnFiles("user alice\ntopic readwrite #\nuser bob\ntopic readwrite #\nuser admin\ntopic readwrite #\n", async ({ b, raw, own }) => {
    const { c: alice, code: a } = await rawLogin(raw, 5, "a5", "alice", USERS.alice);
    const { c: bob, code: o } = await rawLogin(raw, 4, "b4", "bob", USERS.bob);
    const { c: admin, code: d } = await rawLogin(raw, 5, "ad", "admin", USERS.admin);
    assert.deepEqual([a, o, d], [0, 0, 0]);
    assert.deepEqual(b.broker.reload(), []); // the same file: nobody is disconnected
    execFileSync("mosquitto_passwd", ["-D", own.passwordFile, "alice"]);
    execFileSync("mosquitto_passwd", ["-b", own.passwordFile, "bob", "n3w"]);
    assert.deepEqual(b.broker.reload(), []);
    assert.equal((await alice.next("disconnect")).reasonCode, 0x87);
    assert.equal(await alice.waitClosed(), true);
    assert.equal(await bob.waitClosed(), true); // 3.1.1: closed
    await sleep(100);
    assert.equal(admin.closed, false); // an unchanged entry keeps its connection
    admin.sendPacket({ cmd: "pingreq" }, 5);
    await admin.next("pingresp");
    assert.equal((await rawLogin(raw, 4, "b4", "bob", USERS.bob)).code, 4);
    assert.equal((await rawLogin(raw, 4, "b4", "bob", "n3w")).code, 0);
    assert.equal((await rawLogin(raw, 5, "a5", "alice", USERS.alice)).code, 0x86);
  });
});
