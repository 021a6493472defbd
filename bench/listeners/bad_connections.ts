// Bad connection storm (issue 13): N (default 10,000) attempts of plain MQTT to the TLS port, half a TLS
// handshake (mqtts, wss) and garbage WebSocket upgrades, three times; prints descriptors, RSS and JS heap.
// bun bench/listeners/bad_connections.ts [N]   |   deno run -A --v8-flags=--expose-gc bench/listeners/bad_connections.ts [N]
import { connect, type Socket } from "node:net";
import { Broker } from "../../src/broker/broker.ts";
import { listener } from "../../test/listeners/certs.ts";
import { readdirSync } from "node:fs";
import process from "node:process";
const N = Number(process.argv[2] ?? (globalThis as any).Deno?.args?.[0] ?? 10000);
const fds = () => readdirSync("/proc/self/fd").length;
const rss = () => Math.round(process.memoryUsage().rss / 1048576);
const gc = () => { (globalThis as any).Bun?.gc?.(true); (globalThis as any).gc?.(); };
const b = new Broker({ log: () => {}, connectTimeoutMs: 1000, listeners: [listener("mqtts"), listener("ws"), listener("wss")] });
const r = await b.listen();
const [tlsL, wsL, wssL] = r.listeners;
const send = (port: number, bytes: Uint8Array | string) => new Promise<Socket>((res) => { const s = connect(port, "127.0.0.1", () => { s.write(bytes); res(s); }); s.on("error", () => {}); });
const plain = Uint8Array.of(0x10, 12, 0, 4, 77, 81, 84, 84, 4, 2, 0, 60, 0, 0);
const half = Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03);
const garbage = ["GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", "\x00\xff\x13garbage\r\n\r\n"];
// warm: one round before measuring
async function round(n: number) {
  for (let done = 0; done < n; done += 100) {
    const socks: Socket[] = [];
    for (let i = 0; i < 100; i++) {
      const k = (done + i) % 4;
      socks.push(await send(k < 2 ? tlsL.port : k === 2 ? wssL.port : wsL.port, k === 0 ? plain : k === 1 || k === 2 ? half : garbage[(done + i) % 2]));
    }
    await new Promise((r) => setTimeout(r, 5));
    for (const s of socks) s.destroy();
  }
}
await round(1000);
await new Promise((r) => setTimeout(r, 1500)); gc();
for (let rep = 0; rep < 3; rep++) {
const f0 = fds(), m0 = rss(), h0 = Math.round(process.memoryUsage().heapUsed / 1048576), t0 = Date.now();
await round(N);
const t1 = Date.now();
await new Promise((r) => setTimeout(r, 3000)); gc(); await new Promise((r) => setTimeout(r, 200)); gc();
console.log(`${N} attempts in ${t1 - t0} ms: fds ${f0} -> ${fds()}, rss ${m0} -> ${rss()} MiB, heap ${h0} -> ${Math.round(process.memoryUsage().heapUsed / 1048576)} MiB, broker connections left ${b.core.clients.size}`);
}
await b.close();
