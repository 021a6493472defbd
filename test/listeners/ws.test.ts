// ws / wss / http listeners: MQTT.js over ws:// and wss://, the runtime's own WebSocket client,
// raw frames (two packets in one frame, one packet over three messages and over three
// fragments), text frames, subprotocols, a fixed path, the HTTP handler, and backpressure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import mqttPacket from "mqtt-packet";
import { sleep, startBroker, type TestBroker, waitFor } from "../helpers/broker.ts";
import { ClientPool, collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket } from "../helpers/raw.ts";
import type { BrokerOptions } from "../../src/broker/options.ts";
import { cert, listener, serverTls, serverCn } from "./certs.ts";
import { Broker } from "../../src/broker/broker.ts";
import { frame, OP, RawWs } from "./raw_ws.ts";

const ca = readFileSync(cert("ca.crt"));
const gen = (p: Record<string, unknown>, level = 4) => new Uint8Array(mqttPacket.generate(p as never, { protocolVersion: level }));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
};

async function withWs(opts: BrokerOptions, body: (b: TestBroker, pool: ClientPool, raws: RawWs[]) => Promise<void>): Promise<void> {
  const b = await startBroker({ listeners: [listener("ws")], ...opts });
  const pool = new ClientPool(b.port), raws: RawWs[] = [];
  try {
    await body(b, pool, raws);
  } finally {
    for (const r of raws) r.destroy();
    await pool.endAll();
    await b.close();
  }
}

/** A raw WebSocket client that has sent CONNECT and got CONNACK. */
async function rawSession(port: number, raws: RawWs[], clientId: string): Promise<RawWs> {
  const ws = await RawWs.open(port);
  raws.push(ws);
  assert.equal(ws.status, 101, ws.response);
  ws.send(frame(OP.binary, gen(connectPacket(clientId))));
  await ws.next("connack");
  return ws;
}

test("ws:// and wss:// with MQTT.js: a wss subscriber receives a ws publisher's message", async () => {
  await withWs({ listeners: [listener("ws"), listener("wss")] }, async (b, pool) => {
    const [ws, wss] = b.listeners;
    const sub = await pool.connect({ protocol: "wss", host: "localhost", port: wss.port, path: "/mqtt", ca, clientId: "s" });
    const got = collect(sub);
    await subscribe(sub, "w/#", { qos: 1 });
    const pub = await pool.connect({ protocol: "ws", host: "127.0.0.1", port: ws.port, path: "/any/path", clientId: "p" });
    await pub.publishAsync("w/1", "hello ws", { qos: 1 });
    await got.waitFor(1);
    assert.equal(got[0].payload, "hello ws");
  });
});

test("the runtime's WebSocket client: subprotocol mqtt negotiated, CONNECT+SUBSCRIBE in one frame, a PUBLISH in three frames", async () => {
  await withWs({}, async (b) => {
    const ws = new WebSocket(`ws://127.0.0.1:${b.port}/mqtt`, ["mqtt"]);
    ws.binaryType = "arraybuffer";
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: string[] = [];
    parser.on("packet", (p) => {
      packets.push(p.cmd === "publish" ? `publish:${new TextDecoder().decode(p.payload as Uint8Array)}` : p.cmd);
    });
    ws.onmessage = (e) => parser.parse(Buffer.from(e.data as ArrayBuffer));
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
    try {
      assert.equal(ws.protocol, "mqtt");
      ws.send(concat(gen(connectPacket("native")), gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "n/t", qos: 0 }] })));
      await waitFor(() => packets.includes("suback"), "connack and suback");
      assert.deepEqual(packets, ["connack", "suback"]);
      const pub = gen({ cmd: "publish", topic: "n/t", payload: "split in three", qos: 0, retain: false, dup: false });
      ws.send(pub.subarray(0, 1));
      ws.send(pub.subarray(1, 5));
      ws.send(pub.subarray(5));
      await waitFor(() => packets.includes("publish:split in three"), "the split PUBLISH echoed back");
    } finally {
      ws.close();
    }
  });
});

test("raw frames: one PUBLISH as three continuation fragments; a text frame closes with 1002 [MQTT-6.0.0-1]", async () => {
  await withWs({}, async (b, _pool, raws) => {
    const sub = await rawSession(b.port, raws, "sub");
    sub.send(frame(OP.binary, gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "f", qos: 0 }] })));
    await sub.next("suback");
    const pub = gen({ cmd: "publish", topic: "f", payload: "fragmented", qos: 0, retain: false, dup: false });
    sub.send(concat(frame(OP.binary, pub.subarray(0, 3), false), frame(OP.continuation, pub.subarray(3, 8), false), frame(OP.continuation, pub.subarray(8))));
    assert.equal(String((await sub.next("publish")).payload), "fragmented");
    const other = await rawSession(b.port, raws, "other");
    other.send(frame(OP.text, new TextEncoder().encode("not mqtt")));
    assert.ok(await other.waitClosed());
    assert.equal(other.closeCode, 1002);
    // The broker and its other client go on.
    sub.send(frame(OP.binary, pub));
    assert.equal(String((await sub.next("publish")).payload), "fragmented");
  });
});

test("one WebSocket message per connection per tick: ten PUBLISH frames read together reach a subscriber as one message", async () => {
  await withWs({}, async (b, _pool, raws) => {
    const sub = await rawSession(b.port, raws, "sub");
    sub.send(frame(OP.binary, gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "b", qos: 0 }] })));
    await sub.next("suback");
    const pub = await rawSession(b.port, raws, "pub");
    const before = sub.frames;
    const frames = Array.from({ length: 10 }, (_, i) => frame(OP.binary, gen({ cmd: "publish", topic: "b", payload: `m${i}`, qos: 0, retain: false, dup: false })));
    pub.send(concat(...frames)); // one TCP write: the runtime reads all ten frames at once
    await waitFor(() => sub.packets.filter((p) => p.cmd === "publish").length === 10, "ten deliveries");
    assert.equal(sub.frames - before, 1, "delivered in one WebSocket message");
  });
});

test("subprotocols: mqttv3.1 accepted for MQTT 3.1, none offered refused; a fixed path refuses others", async () => {
  await withWs({ listeners: [listener("ws"), listener("ws", { path: "/mqtt" })] }, async (b, _pool, raws) => {
    const v31 = await RawWs.open(b.port, { protocols: "mqttv3.1", level: 3, path: "/whatever" });
    raws.push(v31);
    assert.equal(v31.status, 101);
    assert.match(v31.response, /sec-websocket-protocol: mqttv3\.1/i);
    v31.send(frame(OP.binary, gen(connectPacket("old", 3), 3)));
    assert.equal((await v31.next("connack")).returnCode, 0);
    const none = await RawWs.open(b.port, { protocols: "" });
    raws.push(none);
    assert.equal(none.status, 400);
    const fixed = b.listeners[1].port;
    const wrong = await RawWs.open(fixed, { path: "/other" });
    raws.push(wrong);
    assert.equal(wrong.status, 404);
    const right = await RawWs.open(fixed, { path: "/mqtt" });
    raws.push(right);
    assert.equal(right.status, 101);
  });
});

test("HTTP: requests other than the upgrade go to httpHandler (default 404); protocol http serves only the handler", async () => {
  await withWs({}, async (b) => {
    const r = await fetch(`http://127.0.0.1:${b.port}/metrics`);
    assert.equal(r.status, 404);
    await r.body?.cancel();
  });
  const httpHandler = (req: Request) => new Response(`path ${new URL(req.url).pathname}`, { status: 200 });
  await withWs({ httpHandler, listeners: [listener("ws"), listener("http")] }, async (b, _pool, raws) => {
    for (const l of b.listeners) {
      const r = await fetch(`http://127.0.0.1:${l.port}/healthz`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), "path /healthz");
    }
    const up = await RawWs.open(b.listeners[1].port);
    raws.push(up);
    assert.equal(up.status, 200, "an http listener does not upgrade to MQTT");
  });
});

test("backpressure: a WebSocket subscriber that stops reading is held to maxBufferedBytes, then drains", async () => {
  await withWs({ maxBufferedBytes: 64 * 1024 }, async (b, pool, raws) => {
    const sub = await rawSession(b.port, raws, "slow");
    sub.send(frame(OP.binary, gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "bp/#", qos: 1 }] })));
    await sub.next("suback");
    sub.socket.pause(); // the kernel buffers fill, then the runtime's
    const pub = await pool.connect({ protocol: "ws", port: b.port, clientId: "fast" });
    const payload = "x".repeat(1024);
    for (let i = 0; i < 20_000 && b.broker.stats.droppedCongested === 0; i++) {
      pub.publish("bp/0", payload, { qos: 0 });
      if (i % 200 === 199) await sleep(1);
    }
    await waitFor(() => b.broker.stats.droppedCongested > 0, "QoS 0 dropped for the congested WebSocket", 10_000);
    await pub.publishAsync("bp/1", "after congestion", { qos: 1 });
    sub.socket.resume();
    const m = await waitForPublish(sub, "bp/1", 10_000);
    assert.equal(String(m.payload), "after congestion");
  });
});

async function waitForPublish(ws: RawWs, topic: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const i = ws.packets.findIndex((p) => p.cmd === "publish" && p.topic === topic);
    if (i >= 0) return ws.packets.splice(i, 1)[0];
    ws.packets.length = 0; // drop the QoS 0 flood as it arrives
    await sleep(10);
  }
  throw new Error(`no publish on ${topic}`);
}

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

test("wss reloadTls: new handshakes get the new certificate, an open WebSocket client stays connected (Deno: reported as needing a restart)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-wss-reload-"));
  try {
    copyFileSync(cert("server.crt"), join(dir, "s.crt"));
    copyFileSync(cert("server.key"), join(dir, "s.key"));
    const l = listener("wss", { tls: { certfile: join(dir, "s.crt"), keyfile: join(dir, "s.key") } });
    await withWs({ listeners: [l] }, async (b, pool) => {
      const opts = { protocol: "wss" as const, host: "localhost", port: b.port, ca, path: "/mqtt" };
      const early = await pool.connect({ ...opts, clientId: "early" });
      const got = collect(early);
      await subscribe(early, "r", { qos: 1 });
      copyFileSync(cert("server2.crt"), join(dir, "s.crt"));
      copyFileSync(cert("server2.key"), join(dir, "s.key"));
      const problems = await b.broker.reloadTls();
      if (isDeno) {
        // Deno.serve cannot swap certificates without closing its WebSockets: say so, keep serving.
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^listener wss 127\.0\.0\.1:\d+: certificate reload is not supported here/);
        assert.equal(await serverCn(b.port), "localhost");
      } else {
        assert.deepEqual(problems, []);
        assert.equal(await serverCn(b.port), "renewed.localhost");
      }
      const late = await pool.connect({ ...opts, clientId: "late" });
      await late.publishAsync("r", "after reload", { qos: 1 });
      await got.waitFor(1);
      assert.equal(early.connected, true);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});


test("wss with requireCertificate: a client certificate from the CA is accepted, none refused (Deno: refused at start)", async () => {
  const l = listener("wss", { tls: serverTls({ requireCertificate: true }) });
  if (isDeno) {
    const b = new Broker({ log: () => {}, listeners: [l] });
    await assert.rejects(b.listen(), /requireCertificate on wss is not supported on Deno/);
    await b.close();
    return;
  }
  await withWs({ listeners: [l] }, async (b, pool) => {
    const opts = { protocol: "wss" as const, host: "localhost", port: b.port, ca, path: "/mqtt", connectTimeout: 2000 };
    const good = await pool.connect({ ...opts, clientId: "good", cert: readFileSync(cert("client.crt")), key: readFileSync(cert("client.key")) });
    assert.equal(good.connected, true);
    await assert.rejects(pool.connect({ ...opts, clientId: "none" }));
    await assert.rejects(pool.connect({ ...opts, clientId: "other", cert: readFileSync(cert("other-client.crt")), key: readFileSync(cert("other-client.key")) }));
  });
});
