// mqtts listeners: MQTT.js and mosquitto clients over TLS, TLS 1.2 minimum, mutual TLS (good,
// missing and other-CA client certificates), the certificate CN as username, certificate reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBroker, type TestBroker } from "../helpers/broker.ts";
import { ClientPool, collect, subscribe } from "../helpers/mqtt.ts";
import type { ConnectInfo } from "../../src/broker/hooks.ts";
import type { BrokerOptions } from "../../src/broker/options.ts";
import { cert, listener, serverTls, serverCn } from "./certs.ts";

const ca = readFileSync(cert("ca.crt"));
const tlsOpts = (port: number, extra: Record<string, unknown> = {}) => ({ protocol: "mqtts" as const, host: "localhost", port, ca, ...extra });
const clientCert = { cert: readFileSync(cert("client.crt")), key: readFileSync(cert("client.key")) };
const otherCert = { cert: readFileSync(cert("other-client.crt")), key: readFileSync(cert("other-client.key")) };

/** Runs a command; resolves with its exit code and output (killed after `ms`). */
function run(cmd: string, args: string[], ms = 8000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: ms }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr });
    });
  });
}

async function withTls(opts: BrokerOptions, body: (b: TestBroker, pool: ClientPool, ports: number[]) => Promise<void>): Promise<void> {
  const b = await startBroker(opts);
  const pool = new ClientPool(b.port);
  try {
    await body(b, pool, b.listeners.map((l) => l.port));
  } finally {
    await pool.endAll();
    await b.close();
  }
}

test("mqtts: MQTT.js publishes to MQTT.js over TLS; the connection says it came through mqtts", async () => {
  const seen: string[] = [];
  await withTls({ listeners: [listener("mqtts")], hooks: { authenticate: (i: ConnectInfo) => (seen.push(i.listener), 0) } }, async (b, pool) => {
    const sub = await pool.connect(tlsOpts(b.port, { clientId: "s" }));
    const got = collect(sub);
    await subscribe(sub, "t/#", { qos: 1 });
    const pub = await pool.connect(tlsOpts(b.port, { clientId: "p" }));
    await pub.publishAsync("t/1", "over tls", { qos: 1 });
    await got.waitFor(1);
    assert.equal(got[0].payload, "over tls");
    assert.deepEqual(seen, ["mqtts", "mqtts"]);
  });
});

test("mqtts: mosquitto_sub and mosquitto_pub with --cafile", async () => {
  await withTls({ listeners: [listener("mqtts")] }, async (b) => {
    const common = ["-h", "localhost", "-p", String(b.port), "--cafile", cert("ca.crt"), "-q", "1"];
    const sub = run("mosquitto_sub", [...common, "-t", "m/t", "-C", "1", "-W", "6", "-i", "msub"]);
    // mosquitto_sub has no ready signal: wait until its session shows up.
    for (let i = 0; i < 300 && b.broker.core.sessions.get("msub") === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    const pub = await run("mosquitto_pub", [...common, "-t", "m/t", "-m", "from mosquitto_pub"]);
    assert.equal(pub.code, 0, pub.stderr);
    const r = await sub;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "from mosquitto_pub");
  });
});

test("mqtts: a client without the CA refuses the server; TLS 1.1 is refused, 1.2 accepted", async () => {
  await withTls({ listeners: [listener("mqtts")] }, async (b, pool) => {
    await assert.rejects(pool.connect(tlsOpts(b.port, { ca: undefined })));
    const tls11 = await run("openssl", ["s_client", "-connect", `127.0.0.1:${b.port}`, "-tls1_1"], 5000);
    assert.notEqual(tls11.code, 0);
    const c = await pool.connect(tlsOpts(b.port, { maxVersion: "TLSv1.2", minVersion: "TLSv1.2" }));
    assert.equal(c.connected, true);
  });
});

test("mqtts: tlsVersion tlsv1.3 refuses a TLS 1.2 client", async () => {
  const l = listener("mqtts", { tls: serverTls({ tlsVersion: "tlsv1.3" }) });
  await withTls({ listeners: [l] }, async (b, pool) => {
    await assert.rejects(pool.connect(tlsOpts(b.port, { maxVersion: "TLSv1.2" })));
    const c = await pool.connect(tlsOpts(b.port));
    assert.equal(c.connected, true);
  });
});

test("mutual TLS: a certificate from the CA is accepted; none, or one from another CA, is refused in the handshake", async () => {
  const opened: string[] = [];
  const l = listener("mqtts", { tls: serverTls({ requireCertificate: true }) });
  await withTls({ listeners: [l], hooks: { onConnect: (i: ConnectInfo) => opened.push(i.clientId) } }, async (b, pool) => {
    const good = await pool.connect(tlsOpts(b.port, { clientId: "good", ...clientCert }));
    assert.equal(good.connected, true);
    await assert.rejects(pool.connect(tlsOpts(b.port, { clientId: "none" })));
    await assert.rejects(pool.connect(tlsOpts(b.port, { clientId: "other", ...otherCert })));
    const mosq = await run("mosquitto_pub", ["-h", "localhost", "-p", String(b.port), "--cafile", cert("ca.crt"), "-t", "x", "-m", "y"]);
    assert.notEqual(mosq.code, 0, "mosquitto_pub without a client certificate must fail");
    const mosqGood = await run("mosquitto_pub", [
      "-h", "localhost", "-p", String(b.port), "--cafile", cert("ca.crt"), "--cert", cert("client.crt"), "--key", cert("client.key"),
      "-t", "x", "-m", "y", "-i", "mosq-good",
    ]);
    assert.equal(mosqGood.code, 0, mosqGood.stderr);
    assert.deepEqual(opened.sort(), ["good", "mosq-good"]);
  });
});

test("useIdentityAsUsername: the certificate CN reaches the authenticate hook as the username", async () => {
  const seen: ConnectInfo[] = [];
  const l = listener("mqtts", { tls: serverTls({ requireCertificate: true, useIdentityAsUsername: true }) });
  const plain = listener("mqtts", { tls: serverTls({ requireCertificate: true }) });
  await withTls({ listeners: [l, plain], hooks: { authenticate: (i: ConnectInfo) => (seen.push(i), 0) } }, async (_b, pool, ports) => {
    await pool.connect(tlsOpts(ports[0], { clientId: "dev", username: "claimed", ...clientCert }));
    await pool.connect(tlsOpts(ports[1], { clientId: "dev2", username: "claimed", ...clientCert }));
    assert.deepEqual(seen.map((i) => i.username), ["device-7", "claimed"]);
  });
});


test("reloadTls (SIGHUP): new handshakes get the new certificate, open connections stay up; a bad file keeps the old one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-reload-"));
  try {
    copyFileSync(cert("server.crt"), join(dir, "s.crt"));
    copyFileSync(cert("server.key"), join(dir, "s.key"));
    const l = listener("mqtts", { tls: { certfile: join(dir, "s.crt"), keyfile: join(dir, "s.key") } });
    await withTls({ listeners: [l] }, async (b, pool) => {
      const early = await pool.connect(tlsOpts(b.port, { clientId: "early" }));
      const got = collect(early);
      await subscribe(early, "r", { qos: 1 });
      assert.equal(await serverCn(b.port), "localhost");
      copyFileSync(cert("server2.crt"), join(dir, "s.crt"));
      copyFileSync(cert("server2.key"), join(dir, "s.key"));
      assert.deepEqual(await b.broker.reloadTls(), []);
      assert.equal(await serverCn(b.port), "renewed.localhost");
      const late = await pool.connect(tlsOpts(b.port, { clientId: "late" }));
      await late.publishAsync("r", "after reload", { qos: 1 });
      await got.waitFor(1);
      assert.equal(early.connected, true);
      // A key that no longer matches: reported, and the listener keeps serving the last good pair.
      copyFileSync(cert("mismatched.key"), join(dir, "s.key"));
      const problems = await b.broker.reloadTls();
      assert.equal(problems.length, 1);
      assert.match(problems[0], /s\.key does not match certfile/);
      assert.equal(await serverCn(b.port), "renewed.localhost");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
