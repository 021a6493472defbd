/**
 * Restart time with a large stored state (issue 16), by hand: `bun run bench/durable/restart.ts`.
 * Builds the same state in Vireo (SQLite, through the CLI on Bun) and in Mosquitto (`persistence true`)
 * through the protocol on loopback: RETAINED retained QoS 0 messages of 16 B on
 * `fleet/site-NN/dev-NNNNN/status`, pipelined over one raw connection (mqtt-packet bytes), then SESSIONS
 * persistent sessions (3.1.1 clean session 0, one subscription each), connected in bounded parallel
 * batches and disconnected. Each broker is stopped with SIGTERM (Mosquitto writes its snapshot then),
 * then restarted REPS times: the time from process start until a new client's CONNECT gets CONNACK and
 * a subscription to one retained topic returns its message. Vireo's database built on Bun is restarted
 * on Bun (CLI default, with its JIT warm-up before the port opens, and `warmupMessages: 0`) and on Deno.
 * Env: RETAINED (1000000), SESSIONS (100000), REPS (3), PARALLEL (256), TARGETS (regex on the names).
 */
import { freePort } from "../e2e/procs.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import mqttPacket from "mqtt-packet";

const RETAINED = Number(process.env.RETAINED ?? 1_000_000);
const SESSIONS = Number(process.env.SESSIONS ?? 100_000);
const REPS = Number(process.env.REPS ?? 3);
const PARALLEL = Number(process.env.PARALLEL ?? 256);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = (name: string) => join(root, "node_modules/.bin", name);

/** A broker under test: how to start it on a data directory, with optional Vireo config overrides. */
interface Broker { name: string; start(port: number, dir: string): ChildProcess; files(dir: string): string[] }

const vireoConf = (dir: string, port: number, extra: object) => {
  const conf = join(dir, "vireo.json");
  writeFileSync(conf, JSON.stringify({ port, host: "127.0.0.1", maxConnections: 1_000_000, maxPersistentSessions: 1_000_000, ...extra }));
  return conf;
};
const vireoBun = (extra: object): Broker["start"] => (port, dir) =>
  spawn(bin("bun"), ["run", join(root, "src/main.ts"), "-c", vireoConf(dir, port, extra), "--data", join(dir, "data")], { stdio: ["ignore", "ignore", "inherit"] });
const vireoFiles = (dir: string) => readdirSync(join(dir, "data")).filter((f) => f.startsWith("vireo.db")).map((f) => join(dir, "data", f));
const mosquitto: Broker = {
  name: "Mosquitto 2, persistence true",
  start(port, dir) {
    const conf = join(dir, "m.conf");
    writeFileSync(conf, `user root\nlistener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\n` +
      `autosave_interval 0\nmax_connections -1\nmax_queued_messages 0\nlog_dest none\n`);
    return spawn("/usr/sbin/mosquitto", ["-c", conf], { stdio: "ignore" });
  },
  files: (dir) => [join(dir, "mosquitto.db")],
};

/** Groups of brokers sharing one built state: the first one builds it, all of them restart from it. */
const groups: { build: Broker; restarts: Broker[] }[] = [
  {
    build: { name: "Vireo (Bun), SQLite normal", start: vireoBun({}), files: vireoFiles },
    restarts: [
      { name: "Vireo on Bun (CLI default: JIT warm-up before the port opens)", start: vireoBun({}), files: vireoFiles },
      { name: "Vireo on Bun, warmupMessages 0", start: vireoBun({ warmupMessages: 0 }), files: vireoFiles },
      {
        name: "Vireo on Deno, warmupMessages 0",
        start: (port, dir) => spawn(bin("deno"), ["run", "-A", join(root, "src/main.ts"), "-c", vireoConf(dir, port, { warmupMessages: 0 }), "--data", join(dir, "data")],
          { stdio: ["ignore", "ignore", "inherit"] }),
        files: vireoFiles,
      },
    ],
  },
  { build: mosquitto, restarts: [mosquitto] },
];
const only = new RegExp(process.env.TARGETS ?? ".");


const pad = (n: number, w: number) => String(n).padStart(w, "0");
/** The i-th retained topic: 100 sites × 10,000 devices covers 1,000,000. */
const topic = (i: number) => `fleet/site-${pad(Math.floor(i / 10_000) % 100, 2)}/dev-${pad(i % 10_000, 5)}/status`;

/** A raw MQTT 3.1.1 connection: the packets it received, awaited by command. */
class Client {
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  private waiter: { cmd: string; res: (p: any) => void } | null = null;
  private readonly got: any[] = [];
  private constructor(readonly s: Socket) {
    this.parser.on("packet", (p: any) => {
      if (this.waiter && p.cmd === this.waiter.cmd) { const w = this.waiter; this.waiter = null; w.res(p); } else if (this.got.length < 100) this.got.push(p);
    });
    s.on("data", (d) => this.parser.parse(d as Buffer));
  }
  /** Connects once (`localAddress` spreads many short connections over 127.0.0.x port ranges). */
  static async open(port: number, id: string, clean: boolean, localAddress = "127.0.0.1"): Promise<Client> {
    const s = await new Promise<Socket>((res, rej) => {
      const s = connect({ port, host: "127.0.0.1", localAddress }, () => res(s));
      s.once("error", rej);
    });
    const c = new Client(s);
    s.on("error", () => {});
    c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean, clientId: id, keepalive: 0 });
    const ack = await c.wait("connack", 120_000);
    if (ack.returnCode !== 0) throw new Error(`CONNACK ${ack.returnCode} for ${id}`);
    return c;
  }
  send(p: any): boolean { return this.s.write(mqttPacket.generate(p)); }
  wait(cmd: string, ms: number): Promise<any> {
    const k = this.got.findIndex((p) => p.cmd === cmd);
    if (k >= 0) return Promise.resolve(this.got.splice(k, 1)[0]);
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no ${cmd} in ${ms} ms`)), ms);
      this.s.once("close", () => rej(new Error(`closed waiting for ${cmd}`)));
      this.waiter = { cmd, res: (p) => { clearTimeout(t); res(p); } };
    });
  }
  async close(): Promise<void> {
    this.s.end(mqttPacket.generate({ cmd: "disconnect" }));
    await new Promise((r) => this.s.once("close", r));
  }
}

/** RETAINED retained QoS 0 PUBLISHes pipelined in 1,000-packet writes; a PINGRESP marks them all handled. */
async function buildRetained(port: number): Promise<void> {
  const c = await Client.open(port, "restart-bench-retained", true);
  const payload = Buffer.from("0123456789abcdef");
  for (let i = 0; i < RETAINED; i += 1000) {
    const chunk: Buffer[] = [];
    for (let k = i; k < Math.min(i + 1000, RETAINED); k++) chunk.push(mqttPacket.generate({ cmd: "publish", topic: topic(k), payload, qos: 0, retain: true, dup: false }));
    if (!c.s.write(Buffer.concat(chunk))) await new Promise((r) => c.s.once("drain", r));
  }
  c.send({ cmd: "pingreq" });
  await c.wait("pingresp", 600_000);
  await c.close();
}

/** SESSIONS clean-session-0 clients, PARALLEL at a time, each subscribing to its device's command topic. */
async function buildSessions(port: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async (_, w) => {
    for (let i = next++; i < SESSIONS; i = next++) {
      const c = await Client.open(port, `dev-${pad(i, 6)}`, false, `127.0.0.${2 + (w % 8)}`);
      c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: `fleet/site-${pad(Math.floor(i / 1000) % 100, 2)}/dev-${pad(i, 6)}/cmd`, qos: 1 }] });
      await c.wait("suback", 120_000);
      await c.close();
    }
  }));
}

/** Connects (retrying until the port opens) and reads one retained topic; resolves when it arrives. */
async function check(port: number, deadline: number): Promise<void> {
  let c: Client | null = null;
  while (c === null) {
    try {
      c = await Client.open(port, `restart-check-${Date.now()}`, true);
    } catch (e) {
      if (performance.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const t = topic(RETAINED - 1);
  c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: t, qos: 0 }] });
  const p = await c.wait("publish", 60_000);
  if (p.topic !== t || !p.retain) throw new Error(`expected retained ${t}, got ${p.topic}`);
  c.s.destroy();
}

/** Peak resident set of a process in MB (VmHWM), 0 if gone. */
function peakRssMb(pid: number | undefined): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
  } catch {
    return 0;
  }
}

/** SIGTERM and wait for the exit (Mosquitto writes its snapshot, Vireo commits and checkpoints). */
async function stop(p: ChildProcess): Promise<number> {
  const t0 = performance.now();
  const done = new Promise((r) => p.once("exit", r));
  p.kill("SIGTERM");
  const t = setTimeout(() => p.kill("SIGKILL"), 300_000);
  await done;
  clearTimeout(t);
  return (performance.now() - t0) / 1000;
}

const mb = (files: string[]) => files.reduce((s, f) => s + statSync(f).size, 0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [
  `| broker (${RETAINED.toLocaleString("en-US")} retained, ${SESSIONS.toLocaleString("en-US")} sessions) | build: retained / sessions (s) | stop (s) | data on disk | restart to first retained message, median (min–max) of ${REPS} | peak RSS after restart |`,
  "|---|---|---|---|---|---|",
];
for (const g of groups) {
  if (!only.test(g.build.name) && !g.restarts.some((r) => only.test(r.name))) continue;
  const dir = mkdtempSync(join(tmpdir(), "vireo-restart-bench-"));
  mkdirSync(join(dir, "data"));
  let p: ChildProcess | null = null;
  try {
    const port = await freePort();
    p = g.build.start(port, dir);
    let t0 = performance.now();
    await check0(port);
    t0 = performance.now();
    await buildRetained(port);
    const tRetained = (performance.now() - t0) / 1000;
    console.error(`${g.build.name}: ${RETAINED} retained in ${tRetained.toFixed(1)} s`);
    t0 = performance.now();
    await buildSessions(port);
    const tSessions = (performance.now() - t0) / 1000;
    console.error(`${g.build.name}: ${SESSIONS} sessions in ${tSessions.toFixed(1)} s, peak RSS ${peakRssMb(p.pid).toFixed(0)} MB`);
    const tStop = await stop(p);
    const size = mb(g.build.files(dir));
    console.error(`${g.build.name}: stopped in ${tStop.toFixed(1)} s, ${size.toFixed(1)} MB on disk`);
    for (const r of g.restarts) {
      if (!only.test(r.name)) continue;
      const times: number[] = [];
      let rss = 0;
      for (let k = 0; k < REPS; k++) {
        const start = performance.now();
        p = r.start(port, dir);
        await check(port, start + 300_000);
        times.push((performance.now() - start) / 1000);
        rss = Math.max(rss, peakRssMb(p.pid));
        await stop(p);
        console.error(`${r.name}: restart ${k + 1}: ${times[k].toFixed(2)} s, peak RSS ${rss.toFixed(0)} MB`);
      }
      rows.push(`| ${r.name} | ${tRetained.toFixed(1)} / ${tSessions.toFixed(1)} | ${tStop.toFixed(1)} | ${size.toFixed(0)} MB | ` +
        `${median(times).toFixed(2)} s (${Math.min(...times).toFixed(2)}–${Math.max(...times).toFixed(2)}) | ${rss.toFixed(0)} MB |`);
    }
  } finally {
    if (p !== null && p.exitCode === null && p.signalCode === null) p.kill("SIGKILL"); // only after a failure
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(rows.join("\n"));

/** Waits for a freshly started, empty broker to accept connections. */
async function check0(port: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      const c = await Client.open(port, "restart-bench-probe", true);
      c.s.destroy();
      return;
    } catch (e) {
      if (i > 3000) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
