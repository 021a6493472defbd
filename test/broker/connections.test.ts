// Many connections at once: what a connection storm leaves behind (nothing, once they close), the
// state kept per connection (the partial-packet buffer exists only for packets split across
// chunks), and the limits (maxConnections, connect timeout) on the shared per-connection timer.
// No timing assertions: speed is measured by the benchmarks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { withBroker } from "../helpers/setup.ts";
import { sleep, waitFor } from "../helpers/broker.ts";
import { connectPacket } from "../helpers/raw.ts";
import type { Broker } from "../../src/broker/broker.ts";
import type { Client } from "../../src/broker/client.ts";

/**
 * CONNECT, MQTT 3.1.1, client id `id` (ASCII):
 *   0x10            CONNECT
 *   12 + len(id)    remaining length (one byte for the short ids used here)
 *   0x00 0x04 MQTT  protocol name [MQTT-3.1.2-1]
 *   0x04            protocol level 4
 *   0x02            connect flags: clean session
 *   0x00 0x3c       keep-alive 60 s
 *   len(id) id      client identifier [MQTT-3.1.3-3]
 */
function connectBytes(id: string): Uint8Array {
  const cid = new TextEncoder().encode(id);
  return Uint8Array.of(0x10, 12 + cid.length, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0x00, 0x3c, 0, cid.length, ...cid);
}

/** CONNACK accepting a clean session: type 2, remaining length 2, session present 0, return code 0. */
const CONNACK_OK = [0x20, 0x02, 0x00, 0x00];

/** A plain TCP client that collects every byte the broker sends. */
interface Peer {
  socket: Socket;
  bytes: number[];
  closed: boolean;
}

function dial(port: number): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(peer));
    const peer: Peer = { socket, bytes: [], closed: false };
    socket.on("data", (d: Uint8Array) => peer.bytes.push(...d));
    socket.on("close", () => (peer.closed = true));
    socket.once("error", reject);
  });
}

/** What must be empty once every connection of a test is gone. */
function leftovers(broker: Broker): Record<string, number> {
  const core = broker.core;
  return {
    clients: core.clients.size, sessions: core.sessions.size, keepAlive: core.keepAlive.size,
    statsClients: broker.stats.clients,
  };
}

const NONE = { clients: 0, sessions: 0, keepAlive: 0, statsClients: 0 };

test("2000 clients connect (100 dialling at a time), each gets CONNACK; after they close nothing is left", () =>
  withBroker({}, async ({ b }) => {
    const total = 2000, window = 100;
    const peers: Peer[] = [];
    for (let i = 0; i < total; i += window) {
      const batch = await Promise.all(Array.from({ length: Math.min(window, total - i) }, () => dial(b.port)));
      batch.forEach((p, k) => p.socket.write(connectBytes(`storm-${i + k}`)));
      peers.push(...batch);
    }
    await waitFor(() => peers.every((p) => p.bytes.length >= 4), "2000 CONNACKs", 20_000);
    for (const p of peers) assert.deepEqual(p.bytes, CONNACK_OK);
    assert.equal(b.broker.stats.clients, total);
    assert.equal(b.broker.core.sessions.size, total);
    assert.equal(b.broker.core.keepAlive.size, total, "every client is on the keep-alive wheel");
    // Half leave with DISCONNECT, half just drop the connection.
    peers.forEach((p, i) => (i % 2 === 0 ? p.socket.end(Uint8Array.of(0xe0, 0x00)) : p.socket.destroy()));
    await waitFor(() => b.broker.stats.clients === 0, "every connection closed", 20_000);
    assert.deepEqual(leftovers(b.broker), NONE);
  }));

test("a CONNECT and a SUBSCRIBE fed one byte at a time are decoded (kept bytes across chunks)", () =>
  withBroker({}, async ({ b }) => {
    const p = await dial(b.port);
    p.socket.setNoDelay(true);
    const trickle = async (bytes: Uint8Array) => {
      for (const byte of bytes) {
        p.socket.write(Uint8Array.of(byte));
        await sleep(2); // separate TCP segments, so the broker sees separate chunks
      }
    };
    await trickle(connectBytes("trickle"));
    await waitFor(() => p.bytes.length >= 4, "CONNACK");
    assert.deepEqual(p.bytes, CONNACK_OK);
    // SUBSCRIBE id 7, filter "a/b" QoS 1 → SUBACK id 7, granted QoS 1 [MQTT-3.8.4-1]
    await trickle(Uint8Array.of(0x82, 0x08, 0x00, 0x07, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x01));
    await waitFor(() => p.bytes.length >= 9, "SUBACK");
    assert.deepEqual(p.bytes.slice(4), [0x90, 0x03, 0x00, 0x07, 0x01]);
    // Two whole packets in one chunk after the trickle: PINGREQ twice → two PINGRESP.
    p.socket.write(Uint8Array.of(0xc0, 0x00, 0xc0, 0x00));
    await waitFor(() => p.bytes.length >= 13, "two PINGRESP");
    assert.deepEqual(p.bytes.slice(9), [0xd0, 0x00, 0xd0, 0x00]);
    p.socket.destroy();
    await waitFor(() => b.broker.stats.clients === 0, "close");
    assert.deepEqual(leftovers(b.broker), NONE);
  }));

test("idle state: 3.1.x connections share one set of negotiated terms, a v5 one gets its own", () =>
  withBroker({ maxInflight: 50 }, async ({ b, raw }) => {
    const v4 = await raw.open(4), v3 = await raw.open(3), v5 = await raw.open(5);
    v4.sendPacket(connectPacket("terms-4"));
    v3.sendPacket(connectPacket("terms-3", 3));
    v5.sendPacket(connectPacket("terms-5", 5, { properties: { receiveMaximum: 7, maximumPacketSize: 1000 } }));
    for (const c of [v4, v3, v5]) assert.equal((await c.next("connack")).reasonCode ?? 0, 0);
    const core = b.broker.core;
    const client = (id: string) => core.sessions.get(id)!.link as Client;
    assert.equal(client("terms-4").terms, core.terms311);
    assert.equal(client("terms-3").terms, core.terms31);
    assert.equal(client("terms-3").level, 3);
    assert.deepEqual([client("terms-4").level, client("terms-4").receiveMaximum, client("terms-4").maximumPacketSize], [4, 50, 0]);
    const c5 = client("terms-5");
    assert.notEqual(c5.terms, core.terms311);
    assert.deepEqual([c5.level, c5.receiveMaximum, c5.maximumPacketSize], [5, 7, 1000]); // [MQTT-3.3.4-7]
    assert.equal(core.terms311.receiveMaximum, 50, "a v5 CONNECT leaves the shared terms alone");
  }));

test("3.1.1: a second CONNECT claiming level 5 closes the connection without a v5 DISCONNECT [MQTT-3.1.0-2]", () =>
  withBroker({}, async ({ b }) => {
    const p = await dial(b.port);
    p.socket.write(connectBytes("twice"));
    await waitFor(() => p.bytes.length >= 4, "CONNACK");
    // CONNECT level 5: remaining length 18, "MQTT", level 5, clean start, keep-alive 60,
    // property length 0, client id "twice"
    p.socket.write(Uint8Array.of(0x10, 18, 0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 0x02, 0x00, 0x3c, 0, 0, 5, ...new TextEncoder().encode("twice")));
    await waitFor(() => p.closed, "close");
    assert.deepEqual(p.bytes, CONNACK_OK, "the level stays the one accepted: 3.1.1 has no server DISCONNECT");
  }));

test("maxConnections: the connection over the limit is closed without CONNACK; a freed slot is reused", () =>
  withBroker({ maxConnections: 3 }, async ({ b, raw }) => {
    const first = await Promise.all([raw.open(4), raw.open(4), raw.open(4)]);
    first.forEach((c, i) => c.sendPacket(connectPacket(`limit-${i}`)));
    for (const c of first) assert.equal((await c.next("connack")).returnCode, 0);
    const over = await raw.open(4);
    over.sendPacket(connectPacket("over"));
    assert.ok(await over.waitClosed());
    assert.equal(over.packets.length, 0, "no CONNACK for the refused connection");
    first[0].destroy();
    await waitFor(() => b.broker.stats.clients === 2, "slot freed");
    const again = await raw.open(4);
    again.sendPacket(connectPacket("again"));
    assert.equal((await again.next("connack")).returnCode, 0);
    assert.equal(b.broker.stats.clients, 3);
  }));

test("connect timeout and keep-alive share the per-connection timer: silent sockets go, connected ones stay", () =>
  withBroker({ connectTimeoutMs: 200, keepAliveTickMs: 20 }, async ({ b }) => {
    const silent = await Promise.all(Array.from({ length: 20 }, () => dial(b.port)));
    const talking = await Promise.all(Array.from({ length: 20 }, () => dial(b.port)));
    talking.forEach((p, i) => p.socket.write(connectBytes(`talking-${i}`)));
    await waitFor(() => silent.every((p) => p.closed), "silent sockets closed by the connect timeout");
    assert.ok(silent.every((p) => p.bytes.length === 0));
    await sleep(300); // past the connect timeout: a CONNECT in time replaced it with the keep-alive (60 s)
    assert.ok(talking.every((p) => !p.closed && p.bytes.length === 4));
    assert.equal(b.broker.core.keepAlive.size, 20);
    assert.equal(b.broker.stats.clients, 20);
    assert.equal(b.broker.core.clients.size, 0, "connected clients are reached through their sessions");
    for (const p of talking) p.socket.destroy();
    await waitFor(() => b.broker.stats.clients === 0, "close");
    assert.deepEqual(leftovers(b.broker), NONE);
  }));
