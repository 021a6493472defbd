// Closing on purpose, gracefully: after a refused CONNECT or a DISCONNECT with a reason code the
// broker flushes, half-closes (FIN) and discards what the client still sends until it closes (or a
// bounded linger passes), so the client reads why instead of a reset. Lingering connections count
// toward maxConnections.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import mqttPacket from "mqtt-packet";
import { sleep } from "../helpers/broker.ts";
import { withBroker } from "../helpers/setup.ts";

/** What a raw socket saw: the bytes, and whether it ended with FIN ("end") or an error code. */
interface Outcome {
  bytes: Uint8Array;
  ending: "end" | string;
}

/** Opens a socket, writes `first` then `burst` `times` times, and reads until FIN or error. */
function exchange(port: number, first: Uint8Array, burst: Uint8Array, times: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let settled = false;
    const done = (ending: string) => {
      if (settled) return;
      settled = true;
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of chunks) (all.set(c, o), (o += c.length));
      s.destroy();
      resolve({ bytes: all, ending });
    };
    const s = connect({ port, host: "127.0.0.1", allowHalfOpen: true }, () => {
      s.write(first);
      for (let i = 0; i < times; i++) s.write(burst);
    });
    s.on("data", (d: Uint8Array) => chunks.push(new Uint8Array(d)));
    s.on("end", () => done("end"));
    s.on("error", (e: Error & { code?: string }) => done(e.code ?? e.message));
    setTimeout(() => done("timeout"), 5000);
  });
}

const gen = (p: Record<string, unknown>, v: number) => new Uint8Array(mqttPacket.generate(p as never, { protocolVersion: v }));
const PINGREQS = new Uint8Array(4000).fill(0).map((_, i) => (i % 2 === 0 ? 0xc0 : 0x00));

test("a refused CONNECT ends with CONNACK then FIN, not a reset, while the client is still sending (3.1)", () =>
  withBroker({}, async (w) => {
    const connectTooLongId = gen({ cmd: "connect", protocolId: "MQIsdp", protocolVersion: 3, clean: true, clientId: "x".repeat(30), keepalive: 0 }, 3);
    for (let k = 0; k < 3; k++) {
      const r = await exchange(w.b.port, connectTooLongId, PINGREQS, 50);
      assert.equal(r.ending, "end", "end-of-stream, not ECONNRESET");
      assert.deepEqual([...r.bytes.subarray(0, 4)], [0x20, 0x02, 0x00, 0x02]); // CONNACK, identifier rejected
    }
  }));

test("a refused v5 CONNECT ends with CONNACK 0x8C then FIN while the client is still sending", () =>
  withBroker({}, async (w) => {
    const badMethod = gen({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, clientId: "m", keepalive: 0, properties: { authenticationMethod: "NOPE" } }, 5);
    const r = await exchange(w.b.port, badMethod, PINGREQS, 50);
    assert.equal(r.ending, "end");
    assert.equal(r.bytes[0], 0x20);
    assert.equal(r.bytes[3], 0x8c); // Bad authentication method
  }));

test("a client flooding past Receive Maximum reads DISCONNECT 0x93 even while it keeps sending [MQTT-3.3.4-9]", () =>
  withBroker({ receiveMaximum: 3 }, async (w) => {
    const connectV5 = gen({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, clientId: "flood", keepalive: 0 }, 5);
    let burst = new Uint8Array(0);
    const parts: Uint8Array[] = [];
    for (let id = 1; id <= 200; id++) parts.push(gen({ cmd: "publish", topic: "f", payload: "x".repeat(50), qos: 2, messageId: id }, 5));
    burst = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) (burst.set(p, o), (o += p.length));
    const r = await exchange(w.b.port, connectV5, burst, 20);
    assert.equal(r.ending, "end", "end-of-stream, not a reset");
    const packets: { cmd: string; reasonCode?: number }[] = [];
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    parser.on("packet", (p: { cmd: string; reasonCode?: number }) => packets.push(p));
    parser.parse(r.bytes as never);
    const last = packets[packets.length - 1];
    assert.equal(last.cmd, "disconnect");
    assert.equal(last.reasonCode, 0x93);
  }));

test("a lingering connection counts toward maxConnections until the client closes", () =>
  withBroker({ maxConnections: 1, closeLingerMs: 3000 }, async (w) => {
    const bad = gen({ cmd: "connect", protocolId: "MQIsdp", protocolVersion: 3, clean: true, clientId: "y".repeat(30), keepalive: 0 }, 3);
    // The refused client reads its CONNACK and FIN but keeps its side open: it lingers.
    const lingering = connect({ port: w.b.port, host: "127.0.0.1", allowHalfOpen: true }, () => lingering.write(bad));
    lingering.on("error", () => {});
    lingering.resume(); // flowing: "end" is only emitted once the CONNACK has been read
    const gotFin = new Promise<void>((r) => lingering.on("end", () => r()));
    await gotFin;
    const second = await w.raw.open(4);
    assert.ok(await second.waitClosed(1000), "over the limit while the first lingers: closed at once");
    const closed = new Promise<void>((r) => lingering.on("close", () => r()));
    lingering.end(); // the client closes: the slot is free
    await closed;
    await sleep(200);
    const third = await w.raw.open(4);
    third.sendPacket({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "ok", keepalive: 0 });
    assert.equal((await third.next("connack")).returnCode, 0);
  }));
