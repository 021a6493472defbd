// MQTT 5 enhanced authentication with SCRAM-SHA-512 against a mosquitto_passwd file, checked
// with a client written here from RFC 5802 §3 / RFC 7677: the client proves it knows the password
// without sending it, and verifies the server's signature in the CONNACK (and in re-authentication).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { Buffer } from "node:buffer";
import process from "node:process";
import { withBroker } from "../helpers/setup.ts";
import { connectPacket, type RawClient } from "../helpers/raw.ts";
import { makeAuthFiles, rawLogin, USERS } from "./fixtures.ts";

const files = makeAuthFiles();
process.on("exit", () => files.remove());
const config = { passwordFile: files.passwordFile, aclFile: files.aclFile };
const METHOD = "SCRAM-SHA-512";

const hmac = (key: Buffer, s: string | Buffer) => createHmac("sha512", key).update(s).digest();
const h = (b: Buffer) => createHash("sha512").update(b).digest();

/** The client side of one exchange (RFC 5802 §3). */
class ScramClient {
  readonly cnonce = randomBytes(18).toString("base64");
  readonly bare: string;
  private authMessage = "";
  private salted = Buffer.alloc(0);

  constructor(user: string, private readonly password: string) {
    this.bare = `n=${user.replaceAll("=", "=3D").replaceAll(",", "=2C")},r=${this.cnonce}`;
  }

  first(): Buffer {
    return Buffer.from(`n,,${this.bare}`);
  }

  /** server-first → client-final (with the proof). */
  final(serverFirst: string): Buffer {
    const a = Object.fromEntries(serverFirst.split(",").map((kv) => [kv[0], kv.slice(2)]));
    assert.ok(a.r.startsWith(this.cnonce) && a.r.length > this.cnonce.length, "server nonce extends ours");
    this.salted = pbkdf2Sync(this.password, Buffer.from(a.s, "base64"), Number(a.i), 64, "sha512");
    const clientKey = hmac(this.salted, "Client Key");
    const withoutProof = `c=${Buffer.from("n,,").toString("base64")},r=${a.r}`;
    this.authMessage = `${this.bare},${serverFirst},${withoutProof}`;
    const signature = hmac(h(clientKey), this.authMessage);
    const proof = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) proof[i] = clientKey[i] ^ signature[i];
    return Buffer.from(`${withoutProof},p=${proof.toString("base64")}`);
  }

  /** Whether server-final carries the signature only the holder of the SaltedPassword can make. */
  verify(serverFinal: string): boolean {
    return serverFinal === `v=${hmac(hmac(this.salted, "Server Key"), this.authMessage).toString("base64")}`;
  }
}

const auth = (reasonCode: number, data: Buffer) =>
  ({ cmd: "auth", reasonCode, properties: { authenticationMethod: METHOD, authenticationData: data } });

/** Runs a SCRAM login; resolves with the CONNACK and the client. */
async function scramLogin(c: RawClient, id: string, user: string, password: string) {
  const s = new ScramClient(user, password);
  c.sendPacket(connectPacket(id, 5, { properties: { authenticationMethod: METHOD, authenticationData: s.first() } }), 5);
  const serverFirst = await c.next("auth");
  assert.equal(serverFirst.reasonCode, 0x18);
  assert.equal(serverFirst.properties.authenticationMethod, METHOD);
  c.sendPacket(auth(0x18, s.final(String(serverFirst.properties.authenticationData))), 5);
  const connack = await c.next("connack");
  return { connack, s };
}

test("SCRAM-SHA-512: the $7$ user logs in without sending the password, verifies the server, and the ACL applies to it", async () => {
  await withBroker(config, async ({ raw }) => {
    const c = await raw.open(5);
    const { connack, s } = await scramLogin(c, "sc1", "alice", USERS.alice);
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties.authenticationMethod, METHOD);
    assert.ok(s.verify(String(connack.properties.authenticationData)), "server signature");
    c.sendPacket({ cmd: "publish", topic: "alice/x", qos: 1, messageId: 1, payload: "ok" }, 5);
    assert.equal((await c.next("puback")).reasonCode, 0x10); // allowed (no matching subscribers)
    c.sendPacket({ cmd: "publish", topic: "bob/x", qos: 1, messageId: 2, payload: "no" }, 5);
    assert.equal((await c.next("puback")).reasonCode, 0x87);
  });
});

test("SCRAM-SHA-512 refusals: wrong password, unknown user (a normal-looking challenge first), $6$ user → 0x86; other method → 0x8C", async () => {
  await withBroker(config, async ({ raw }) => {
    assert.equal((await scramLogin(await raw.open(5), "w", "alice", "wrong")).connack.reasonCode, 0x86);
    const unknown = await raw.open(5);
    const u = new ScramClient("nobody", "x");
    unknown.sendPacket(connectPacket("u", 5, { properties: { authenticationMethod: METHOD, authenticationData: u.first() } }), 5);
    const challenge = String((await unknown.next("auth")).properties.authenticationData);
    assert.match(challenge, /^r=[^,]+,s=[A-Za-z0-9+/]{16},i=101$/);
    unknown.sendPacket(auth(0x18, u.final(challenge)), 5);
    assert.equal((await unknown.next("connack")).reasonCode, 0x86);
    assert.equal((await scramLogin(await raw.open(5), "b", "bob", USERS.bob)).connack.reasonCode, 0x86);
    const plain = await raw.open(5);
    plain.sendPacket(connectPacket("p", 5, { properties: { authenticationMethod: "PLAIN", authenticationData: Buffer.from("x") } }), 5);
    assert.equal((await plain.next("connack")).reasonCode, 0x8c);
    assert.equal(await plain.waitClosed(), true);
  });
});

test("re-authentication: AUTH 0x19 … AUTH 0x00 with the server's signature; a wrong proof → DISCONNECT 0x87; AUTH without a method → 0x82", async () => {
  await withBroker(config, async ({ raw }) => {
    const c = await raw.open(5);
    assert.equal((await scramLogin(c, "re", "alice", USERS.alice)).connack.reasonCode, 0);
    const again = new ScramClient("alice", USERS.alice);
    c.sendPacket(auth(0x19, again.first()), 5);
    const challenge = await c.next("auth");
    assert.equal(challenge.reasonCode, 0x18);
    c.sendPacket(auth(0x18, again.final(String(challenge.properties.authenticationData))), 5);
    const done = await c.next("auth");
    assert.equal(done.reasonCode, 0);
    assert.ok(again.verify(String(done.properties.authenticationData)));
    const bad = new ScramClient("alice", "wrong");
    c.sendPacket(auth(0x19, bad.first()), 5);
    const ch2 = await c.next("auth");
    c.sendPacket(auth(0x18, bad.final(String(ch2.properties.authenticationData))), 5);
    assert.equal((await c.next("disconnect")).reasonCode, 0x87);
    assert.equal(await c.waitClosed(), true);
    const { c: plain } = await rawLogin(raw, 5, "pl", "alice", USERS.alice);
    plain.sendPacket(auth(0x19, Buffer.from("n,,n=alice,r=x")), 5);
    assert.equal((await plain.next("disconnect")).reasonCode, 0x82);
  });
});
