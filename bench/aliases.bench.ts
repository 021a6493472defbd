/**
 * Outbound topic aliases, on against off, in one run: a broker process (pinned to CPU 0) with
 * `outboundTopicAliasMaximum` 32 and one with 0 take turns, fed by this process (CPU 1): one
 * publisher streaming pre-encoded QoS 0 PUBLISH packets over a fleet's topic mix, v5 subscribers
 * that announce Topic Alias Maximum 64. Reports delivered msgs/s (median of the runs) and the bytes
 * the subscribers received per message, so the ratio shows both the cost on the hot path and the
 * bytes saved on the wire.
 *
 *   bun run bench/aliases.bench.ts [--reps 5] [--messages 200000] [--fanout 1]
 *
 * Topic mix: 50 devices under `fleet/site-07/dev-NNN/…`, each with 8 metric topics (telemetry,
 * status, config acks); subscriber k subscribes to `fleet/site-07/dev-k/#` as a device's backend
 * worker would, so each subscriber sees 8 distinct topics; payloads are 16 bytes. `--fanout N`: N
 * such subscribers per device, so each message goes to N connections (rates, CPU and bytes are
 * then per delivery).
 *
 * The broker's warm-up (config.warmupMessages) runs first, as in production: without it the JIT
 * compiles the alias path during the measured window, on the broker's only CPU (measured before the
 * warm-up covered it: 0.78 against 0.58 broker CPU µs per message).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import mqttPacket from "mqtt-packet";
import { ROOT, portOpen } from "./e2e/procs.ts";

const DEVICES = 50;
const METRICS = ["telemetry/temperature", "telemetry/humidity", "telemetry/battery", "status/online",
  "status/firmware", "config/ack", "alarms/threshold", "telemetry/rssi"];
const PAYLOAD = Buffer.alloc(16, 0x41);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const gen = (p: Record<string, unknown>, v = 5) => new Uint8Array(mqttPacket.generate(p as never, { protocolVersion: v }));

/** Counts whole MQTT packets (and bytes) arriving on a socket without decoding them. */
class PacketCounter {
  packets = 0;
  bytes = 0;
  private need = -1;
  private header: number[] = [];

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let i = 0;
    while (i < chunk.length) {
      if (this.need > 0) {
        const take = Math.min(this.need, chunk.length - i);
        this.need -= take;
        i += take;
        if (this.need === 0) (this.packets++, (this.need = -1));
        continue;
      }
      this.header.push(chunk[i++]);
      if (this.header.length >= 2 && (this.header[this.header.length - 1] & 0x80) === 0) {
        let len = 0;
        for (let k = this.header.length - 1; k >= 1; k--) len = len * 128 + (this.header[k] & 0x7f);
        this.header = [];
        if (len === 0) this.packets++;
        else this.need = len;
      }
    }
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Connects a v5 client, subscribes (if `filter`), and resolves once SUBACK (or CONNACK) arrived. */
async function client(port: number, id: string, filter?: string): Promise<{ s: Socket; counter: PacketCounter }> {
  const s = await open(port);
  const counter = new PacketCounter();
  s.on("data", (d: Uint8Array) => counter.push(d));
  s.write(gen({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, clientId: id, keepalive: 0, properties: { topicAliasMaximum: 64 } }));
  if (filter !== undefined) s.write(gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: filter, qos: 0 }] }));
  const expect = filter !== undefined ? 2 : 1;
  for (let t = 0; counter.packets < expect && t < 500; t++) await sleep(10);
  counter.packets = 0;
  counter.bytes = 0;
  return { s, counter };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/**
 * One run: `messages` spread over the topic mix; returns msgs/s, received bytes per message and
 * the broker's CPU µs per message (the hot path's cost, whoever the bottleneck is).
 */
async function runOnce(port: number, messages: number, brokerPid: number, fanout: number): Promise<Run> {
  const subs = await Promise.all(Array.from({ length: DEVICES * fanout }, (_, k) => client(port, `sub-${k}`, `fleet/site-07/dev-${k % DEVICES}/#`)));
  const pub = await client(port, "pub");
  const packets = [];
  for (let k = 0; k < DEVICES; k++) for (const m of METRICS) packets.push(gen({ cmd: "publish", topic: `fleet/site-07/dev-${k}/${m}`, payload: PAYLOAD, qos: 0 }));
  const round = Buffer.concat(packets); // one packet per topic
  const rounds = Math.ceil(messages / packets.length);
  const total = rounds * packets.length * fanout; // deliveries
  const cpu0 = cpuSeconds(brokerPid), own0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    if (!pub.s.write(round)) await new Promise<void>((res) => pub.s.once("drain", () => res()));
  }
  const received = () => subs.reduce((n, s) => n + s.counter.packets, 0);
  for (let t = 0; received() < total && t < 6000; t++) await sleep(5);
  const seconds = (performance.now() - t0) / 1000;
  const cpuUs = (cpuSeconds(brokerPid) - cpu0) * 1e6 / total;
  const own = process.cpuUsage(own0);
  const clientUs = (own.user + own.system) / total;
  const got = received();
  const bytes = subs.reduce((n, s) => n + s.counter.bytes, 0);
  for (const c of [...subs, pub]) c.s.destroy();
  if (got < total) throw new Error(`only ${got} of ${total} messages arrived`);
  return { rate: total / seconds, bytesPerMsg: bytes / total, cpuUs, clientUs };
}

async function startBroker(aliasMax: number, port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), "vireo-alias-"));
  const conf = join(dir, "vireo.json");
  writeFileSync(conf, JSON.stringify({ outboundTopicAliasMaximum: aliasMax }));
  const child = spawn("taskset", ["-c", "0", process.execPath, "run", join(ROOT, "src/main.ts"), "-c", conf, "-p", String(port), "--host", "127.0.0.1", "--memory"], { stdio: "ignore" });
  for (let t = 0; t < 300 && !(await portOpen(port)); t++) await sleep(50);
  return child;
}

/** One run's results; clientUs is this process's CPU (publisher + counting subscribers) per message. */
interface Run {
  rate: number;
  bytesPerMsg: number;
  cpuUs: number;
  clientUs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { reps: { type: "string", default: "5" }, messages: { type: "string", default: "200000" }, fanout: { type: "string", default: "1" } } });
  const reps = Number(values.reps), messages = Number(values.messages), fanout = Number(values.fanout);
  const runs: Record<string, Array<Run>> = { on: [], off: [] };
  const rateRatios: number[] = [], cpuRatios: number[] = [];
  let port = 27_400 + Math.floor(Math.random() * 500);
  for (let r = 0; r < reps; r++) {
    // Alternate which goes first, so drift on a noisy machine does not favour one side.
    const order: Array<[string, number]> = r % 2 === 0 ? [["off", 0], ["on", 32]] : [["on", 32], ["off", 0]];
    for (const [name, aliasMax] of order) {
      const broker = await startBroker(aliasMax, ++port);
      try {
        const res = await runOnce(port, messages, broker.pid!, fanout);
        runs[name].push(res);
        console.error(`rep ${r + 1}/${reps} aliases ${name}: ${Math.round(res.rate).toLocaleString("en-US")} msgs/s, ` +
          `${res.cpuUs.toFixed(3)} broker CPU µs/msg (${(res.cpuUs * res.rate / 1e4).toFixed(0)} % of a core), ` +
          `${res.clientUs.toFixed(3)} bench-process CPU µs/msg, ${res.bytesPerMsg.toFixed(1)} B/msg`);
      } finally {
        broker.kill("SIGTERM");
        await new Promise((res) => broker.once("exit", res));
      }
    }
    const on = runs.on[r], off = runs.off[r];
    rateRatios.push(on.rate / off.rate);
    cpuRatios.push(off.cpuUs / on.cpuUs);
  }
  const med = (name: string, k: "rate" | "bytesPerMsg" | "cpuUs") => median(runs[name].map((x) => x[k]));
  console.log("| aliases | msgs/s (median) | broker CPU µs/msg | bytes/msg on the wire |\n|---|---|---|---|");
  for (const [name, label] of [["off", "off"], ["on", "on (32)"]]) {
    console.log(`| ${label} | ${Math.round(med(name, "rate")).toLocaleString("en-US")} | ${med(name, "cpuUs").toFixed(3)} | ${med(name, "bytesPerMsg").toFixed(1)} |`);
  }
  const list = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(", ");
  console.log(`throughput on/off: median ${median(rateRatios).toFixed(3)} (${list(rateRatios)})`);
  console.log(`broker CPU per message off/on: median ${median(cpuRatios).toFixed(3)} (${list(cpuRatios)}; above 1 = aliasing cheaper)`);
  console.log(`bytes saved: ${(100 * (1 - med("on", "bytesPerMsg") / med("off", "bytesPerMsg"))).toFixed(1)} %`);
}

await main();
