// The -v connection log of a real broker process (src/main.ts): Mosquitto-like connect lines, protocol
// errors naming client id, remote ADDR:PORT, reason name and code and the packet that set them off,
// disconnect lines with the same identity; the broker's own warm-up clients never appear.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqttPacket from "mqtt-packet";
import { runEntry } from "../helpers/cli.ts";

/** A raw TCP client that remembers its local port (the broker's view of the peer's port). */
class Peer {
  private received = 0;
  readonly closed: Promise<void>;
  /** Read at once: a closed socket no longer tells it. */
  readonly port: number;

  private constructor(readonly socket: net.Socket) {
    this.port = socket.localPort!;
    socket.on("data", (d: Uint8Array) => (this.received += d.length));
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  static open(port: number): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1", () => resolve(new Peer(s)));
      s.once("error", reject);
    });
  }

  send(packet: Record<string, unknown>, level: number): void {
    this.socket.write(mqttPacket.generate(packet as unknown as mqttPacket.Packet, { protocolVersion: level }));
  }

  /** Resolves once at least `n` bytes have arrived (a CONNACK is 4+), or rejects after 5 s. */
  async bytes(n: number): Promise<void> {
    for (let i = 0; i < 500 && this.received < n; i++) await new Promise((r) => setTimeout(r, 10));
    if (this.received < n) throw new Error(`only ${this.received} bytes arrived`);
  }
}

const connect = (clientId: string, level: number, extra: Record<string, unknown> = {}) => ({
  cmd: "connect", protocolId: "MQTT", protocolVersion: level, clean: true, clientId, keepalive: 60, ...extra,
});

/** Drives the clients against the broker on `port`; returns the lines the log must contain. */
async function session(port: number): Promise<string[]> {
  const a = await Peer.open(port); // a second CONNECT is a protocol error [MQTT-3.1.0-2]
  a.send(connect("log-a", 4), 4);
  await a.bytes(4);
  a.send(connect("log-a", 4), 4);
  await a.closed;
  const b = await Peer.open(port); // PUBLISH before CONNECT [MQTT-3.1.0-1]
  b.send({ cmd: "publish", topic: "t", payload: "x", qos: 0 }, 4);
  await b.closed;
  const c = await Peer.open(port); // v5, persistent session, user name, normal DISCONNECT
  c.send(connect("log-c", 5, { clean: false, keepalive: 30, username: "u1", properties: { sessionExpiryInterval: 60 } }), 5);
  await c.bytes(4);
  c.send({ cmd: "disconnect", reasonCode: 0 }, 5);
  await c.closed;
  const d = await Peer.open(port); // QoS 3 in a PUBLISH header: malformed [MQTT-3.3.1-4]
  d.send(connect("log-d", 4), 4);
  await d.bytes(4);
  d.socket.write(Uint8Array.of(0x36, 5, 0, 1, 0x74, 0, 1));
  await d.closed;
  const e = await Peer.open(port); // enhanced authentication is not offered: CONNACK 0x8C
  e.send(connect("log-e", 5, { properties: { authenticationMethod: "SCRAM-SHA-1" } }), 5);
  await e.closed;
  return [
    `New client connected from 127.0.0.1:${a.port} as log-a (p2, c1, k60).`,
    `Client log-a from 127.0.0.1:${a.port}: protocol error (0x82), triggered by a CONNECT packet; closing.`,
    `Client log-a from 127.0.0.1:${a.port} disconnected: protocol error (0x82) (will applies).`,
    `Client <unknown> from 127.0.0.1:${b.port}: protocol error (0x82), triggered by a PUBLISH packet before CONNECT; closing.`,
    `New client connected from 127.0.0.1:${c.port} as log-c (p5, c0, k30, u'u1').`,
    `Client log-c from 127.0.0.1:${c.port} disconnected.`,
    `New client connected from 127.0.0.1:${d.port} as log-d (p2, c1, k60).`,
    `Client log-d from 127.0.0.1:${d.port}: malformed packet (0x81), triggered by a PUBLISH packet; closing.`,
    `Client log-d from 127.0.0.1:${d.port} disconnected: malformed packet (0x81) (will applies).`,
    `Client log-e from 127.0.0.1:${e.port}: CONNECT refused, bad authentication method (0x8c); closing.`,
  ];
}

test("-v logs connects, protocol errors and disconnects with id, ADDR:PORT, reason name and code, trigger; no warm-up clients", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-log-"));
  try {
    const conf = join(dir, "vireo.json");
    writeFileSync(conf, JSON.stringify({ warmupMessages: 2000 })); // the warm-up runs, briefly
    let expected: Promise<string[]> = Promise.resolve([]);
    const r = await runEntry("src/main.ts", ["-v", "-c", conf, "--host", "127.0.0.1", "--port", "0"], {
      onLine(line, stop) {
        const m = /^vireo listening on 127\.0\.0\.1:(\d+) \(mqtt\)$/.exec(line);
        if (m !== null) expected = session(Number(m[1])).finally(stop);
      },
    });
    const want = await expected;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split("\n").filter((l) => l !== "").map((l) => l.replace(/^vireo: /, ""));
    assert.deepEqual(lines, want);
    assert.doesNotMatch(r.stderr, /warmup/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
