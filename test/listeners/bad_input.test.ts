// Bad input: TLS files missing, not PEM, or a key not matching its certificate; a port in use;
// two listeners on one port (one message naming the file, listener or address; nothing stays
// bound; the CLI exits 2). Plain MQTT to the TLS port, half a TLS handshake, garbage on the WebSocket
// upgrade: that connection closes, the broker and its clients go on, descriptors come back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Server, type Socket } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/run_cli.ts";
import { Broker } from "../../src/broker/broker.ts";
import { ListenerError } from "../../src/listeners/errors.ts";
import type { ListenerConfig } from "../../src/config/listener_config.ts";
import { sleep, startBroker, waitFor } from "../helpers/broker.ts";
import { ClientPool, collect, subscribe } from "../helpers/mqtt.ts";
import { cert, listener, openFds, serverTls } from "./certs.ts";

const ca = readFileSync(cert("ca.crt"));

/** Broker.listen() with `listeners`: resolves with the ListenerError message (fails if it listens). */
async function refusal(listeners: ListenerConfig[]): Promise<string> {
  const b = new Broker({ log: () => {}, listeners });
  try {
    await b.listen();
  } catch (err) {
    assert.ok(err instanceof ListenerError, `a ListenerError, got ${err}`);
    assert.doesNotMatch(err.message, /\n/, "one line");
    return err.message;
  } finally {
    await b.close();
  }
  assert.fail("listen() should have failed");
}

/** A TCP server holding a port, so the broker finds it in use. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

test("TLS files: missing certfile, missing keyfile, not PEM, key not matching: one line naming the file", async () => {
  const missing = await refusal([listener("mqtts", { tls: serverTls({ certfile: "/nonexistent/server.crt" }) })]);
  assert.match(missing, /certfile \/nonexistent\/server\.crt: cannot read/);
  const noKey = await refusal([listener("wss", { tls: serverTls({ keyfile: "/nonexistent/server.key" }) })]);
  assert.match(noKey, /^listener wss 127\.0\.0\.1:0: keyfile \/nonexistent\/server\.key: cannot read/);
  const notPem = await refusal([listener("mqtts", { tls: serverTls({ certfile: fileURLToPath(import.meta.url) }) })]);
  assert.match(notPem, /bad_input\.test\.ts: not a PEM file/);
  const mismatch = await refusal([listener("mqtts", { tls: serverTls({ keyfile: cert("mismatched.key") }) })]);
  assert.match(mismatch, /keyfile .*mismatched\.key does not match certfile .*server\.crt/);
  const noCa = await refusal([listener("mqtts", { tls: { certfile: cert("server.crt"), keyfile: cert("server.key"), requireCertificate: true } })]);
  assert.match(noCa, /requireCertificate needs cafile or capath/);
  const identity = await refusal([listener("mqtts", { tls: serverTls({ useIdentityAsUsername: true }) })]);
  assert.match(identity, /useIdentityAsUsername needs requireCertificate/);
});

test("a port in use and two listeners on one port: named, and no listener stays bound", async () => {
  const held = await holdPort();
  const free = await holdPort();
  const freePort = free.port;
  await new Promise<void>((r) => free.server.close(() => r()));
  try {
    const inUse = await refusal([listener("mqtt", { port: freePort }), listener("ws", { port: held.port })]);
    assert.match(inUse, new RegExp(`^listener ws 127\\.0\\.0\\.1:${held.port}: cannot listen`));
    // All or none: the first listener, bound before the failure, was closed again.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => (probe.once("error", reject), probe.listen(freePort, "127.0.0.1", () => resolve())));
    await new Promise<void>((r) => probe.close(() => r()));
    const twice = await refusal([listener("mqtt", { port: 18830 }), listener("mqtts", { port: 18830, host: "0.0.0.0", origin: "vireo.conf:7" })]);
    assert.equal(twice, "listener mqtts 0.0.0.0:18830 (vireo.conf:7): port 18830 is already used by listener mqtt 127.0.0.1:18830");
  } finally {
    await new Promise<void>((r) => held.server.close(() => r()));
  }
});

test("CLI: the second listener's port in use is one line naming it, exit 2, before anything listens", async () => {
  const held = await holdPort();
  const dir = mkdtempSync(join(tmpdir(), "vireo-inuse-"));
  try {
    writeFileSync(join(dir, "vireo.json"), JSON.stringify({
      listeners: [{ host: "127.0.0.1", port: 0, protocol: "mqtt" }, { host: "127.0.0.1", port: held.port, protocol: "ws" }],
    }));
    const r = await runCli(["-c", join(dir, "vireo.json")]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim(), `vireo: cannot listen on 127.0.0.1:${held.port}: address already in use (EADDRINUSE)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((r) => held.server.close(() => r()));
  }
});

/** Opens a TCP connection, sends `bytes`, and resolves with the socket (closed by the caller). */
function rawSend(port: number, bytes: Uint8Array | string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => {
      s.write(bytes);
      resolve(s);
    });
    s.on("error", () => {}); // a reset by the server is the expected outcome here
    s.once("error", reject);
  });
}

const ATTEMPTS = 300;

test(`${ATTEMPTS}× plain MQTT to the TLS port, half a handshake, garbage upgrades: closed, others go on, descriptors return`, async () => {
  const b = await startBroker({ connectTimeoutMs: 1000, listeners: [listener("mqtts"), listener("ws"), listener("wss")] });
  const pool = new ClientPool(b.port);
  try {
    const [tlsL, wsL, wssL] = b.listeners;
    const sub = await pool.connect({ protocol: "mqtts", host: "localhost", port: tlsL.port, ca, clientId: "steady" });
    const got = collect(sub);
    await subscribe(sub, "steady", { qos: 1 });
    const before = openFds();
    const plainConnect = Uint8Array.of(0x10, 12, 0, 4, 77, 81, 84, 84, 4, 2, 0, 60, 0, 0);
    const halfHello = Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03); // record says 512 bytes, 6 sent
    const garbage = [
      "GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", // no key, no version
      "\x00\xff\x13garbage\r\n\r\n",
      "GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: x\r\n\r\n",
    ];
    for (let round = 0; round < ATTEMPTS; round += 50) {
      const socks: Socket[] = [];
      for (let i = 0; i < 50; i++) {
        const k = (round + i) % 5;
        const target = k === 0 ? tlsL.port : k === 1 ? tlsL.port : k === 2 ? wssL.port : wsL.port;
        const bytes = k === 0 ? plainConnect : k === 1 || k === 2 ? halfHello : garbage[(round + i) % 3];
        socks.push(await rawSend(target, bytes));
      }
      await sleep(20);
      for (const s of socks) s.destroy();
    }
    // The broker and its steady client go on.
    const pub = await pool.connect({ protocol: "wss", host: "localhost", port: wssL.port, ca, clientId: "after", path: "/mqtt" });
    await pub.publishAsync("steady", "still here", { qos: 1 });
    await got.waitFor(1);
    await waitFor(() => openFds() <= before + 4, `descriptors back to ${before} (now ${openFds()})`, 10_000);
    assert.equal(got[0].payload, "still here");
  } finally {
    await pool.endAll();
    await b.close();
  }
});

test("half a handshake that stays open is dropped within the connect timeout", async () => {
  const b = await startBroker({ connectTimeoutMs: 300, listeners: [listener("mqtts")] });
  try {
    const s = await rawSend(b.port, Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01));
    let closed = false;
    s.on("close", () => (closed = true));
    await waitFor(() => closed, "the server to drop the stalled handshake", 5000);
    s.destroy();
  } finally {
    await b.close();
  }
});
