/**
 * Durable QoS 1/2 fan-in (issue 16), by hand: `bun run bench/durable/run.ts [seconds]`.
 * Four publishers (window 64 each) send QoS 1 or 2 to one topic with two persistent subscribers,
 * one online (acknowledging) and one offline (its queue grows), against Vireo in memory, Vireo on
 * SQLite (synchronous NORMAL and FULL) and Mosquitto with `persistence true` (it snapshots every
 * autosave_interval, so it writes nothing per message). Reports publisher-acknowledged msgs/s and the
 * p99 ack latency. The load generator is JS (node:net + mqtt-packet): compare the rows, not the
 * absolute figures with the C load generator's.
 */
import { freePort } from "../e2e/procs.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import mqttPacket from "mqtt-packet";

const SECONDS = Number(process.argv[2] ?? 3);
/** RATE=N: open loop at N msgs/s in total (p99 at a fixed load) instead of closed-loop throughput. */
const RATE = Number(process.env.RATE ?? 0);
const PUBLISHERS = 4, WINDOW = Number(process.env.WINDOW ?? 64);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

interface Target { name: string; start(port: number, dir: string): ChildProcess }

const vireo = (name: string, extra: string[], cfg: object): Target => ({
  name,
  start(port, dir) {
    const conf = join(dir, "vireo.json");
    writeFileSync(conf, JSON.stringify({ maxQueuedMessages: 10_000_000, warmupMessages: 100_000, ...cfg }));
    return spawn(join(root, "node_modules/.bin/bun"), ["run", join(root, "src/main.ts"), "-p", String(port), "--host", "127.0.0.1", "-c", conf,
      ...extra.map((a) => a.replace("$DIR", join(dir, "data")))], { stdio: "ignore" });
  },
});
const allTargets: Target[] = [
  vireo("vireo memory", ["--memory"], {}),
  vireo("vireo sqlite normal", ["--data", "$DIR"], {}),
  vireo("vireo sqlite full", ["--data", "$DIR"], { persistenceSync: "full" }),
  {
    name: "mosquitto persistence true",
    start(port, dir) {
      const conf = join(dir, "m.conf");
      writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\nmax_queued_messages 0\nmax_inflight_messages 0\nlog_dest none\n`);
      return spawn("/usr/sbin/mosquitto", ["-c", conf], { stdio: "ignore" });
    },
  },
];

/** TARGETS=regex: only the brokers whose name matches (e.g. TARGETS='normal|mosquitto'). */
const targets = allTargets.filter((t) => new RegExp(process.env.TARGETS ?? ".").test(t.name));

/** The broker's CPU time so far in µs (user + system, from /proc; 0 where there is none). */
function cpuMicros(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const v = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(v[11]) + Number(v[12])) * 1e6 / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}


class Client {
  readonly packets: any[] = [];
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  onPacket: (p: any) => void = (p) => this.packets.push(p);
  private constructor(readonly s: Socket) {
    this.parser.on("packet", (p: any) => this.onPacket(p));
    s.on("data", (d) => this.parser.parse(d as Buffer));
    s.on("error", () => {});
  }
  static async open(port: number, id: string, clean: boolean): Promise<Client> {
    for (let i = 0; ; i++) {
      try {
        const s = await new Promise<Socket>((res, rej) => { const s = connect(port, "127.0.0.1", () => res(s)); s.once("error", rej); });
        const c = new Client(s);
        c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean, clientId: id, keepalive: 0 });
        await c.wait("connack");
        return c;
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  send(p: any): void { this.s.write(mqttPacket.generate(p)); }
  async wait(cmd: string): Promise<any> {
    for (let i = 0; i < 500; i++) {
      const k = this.packets.findIndex((p) => p.cmd === cmd);
      if (k >= 0) return this.packets.splice(k, 1)[0];
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${cmd}`);
  }
}

async function measure(port: number, qos: 1 | 2, size: number, pid?: number): Promise<{ rate: number; p99: number; cpu: number }> {
  for (const id of ["on", "off"]) {
    const c = await Client.open(port, `${id}-${qos}-${size}`, false);
    c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: `t/${qos}/${size}`, qos }] });
    await c.wait("suback");
    if (id === "off") c.s.destroy();
    else c.onPacket = (p) => {
      if (p.cmd === "publish") c.send({ cmd: qos === 1 ? "puback" : "pubrec", messageId: p.messageId });
      else if (p.cmd === "pubrel") c.send({ cmd: "pubcomp", messageId: p.messageId });
    };
  }
  const payload = Buffer.alloc(size, 65);
  const lat: number[] = [];
  let acked = 0, running = true;
  const start = performance.now(), cpu0 = cpuMicros(pid);
  await Promise.all(Array.from({ length: PUBLISHERS }, async (_, k) => {
    const c = await Client.open(port, `pub-${k}-${qos}-${size}`, true);
    const sent = new Map<number, number>();
    let next = 1;
    let allowance = RATE > 0 ? 0 : Infinity;
    const ticker = RATE > 0 ? setInterval(() => {
      allowance += RATE / PUBLISHERS / 100;
      fire();
    }, 10) : null;
    const fire = () => {
      while (running && sent.size < (RATE > 0 ? 4096 : WINDOW) && allowance >= 1) {
        allowance--;
        const id = next;
        next = next === 65535 ? 1 : next + 1;
        sent.set(id, performance.now());
        c.send({ cmd: "publish", topic: `t/${qos}/${size}`, payload, qos, messageId: id });
      }
    };
    c.onPacket = (p) => {
      if (p.cmd === "pubrec") return c.send({ cmd: "pubrel", messageId: p.messageId });
      if (p.cmd !== "puback" && p.cmd !== "pubcomp") return;
      const t = sent.get(p.messageId);
      sent.delete(p.messageId);
      if (t !== undefined) { acked++; if (lat.length < 2_000_000) lat.push(performance.now() - t); }
      fire();
    };
    fire();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    running = false;
    if (ticker !== null) clearInterval(ticker);
    c.s.destroy();
  }));
  const elapsed = (performance.now() - start) / 1000, cpu = cpuMicros(pid) - cpu0;
  lat.sort((a, b) => a - b);
  return { rate: acked / elapsed, p99: lat[Math.floor(lat.length * 0.99)] ?? 0, cpu: acked > 0 ? cpu / acked : 0 };
}

const unit = RATE > 0 ? `msgs/s at ${RATE}/s offered` : "msgs/s";
const rows: string[] = [
  `| broker (${unit}; broker CPU µs/msg) | QoS 1 16 B | QoS 1 256 B | QoS 2 16 B | QoS 2 256 B | p99 ack ms (QoS 1 16 B) |`, "|---|---|---|---|---|---|",
];
for (const t of targets) {
  const dir = mkdtempSync(join(tmpdir(), "vireo-durable-bench-"));
  const port = await freePort();
  const proc = t.start(port, dir);
  try {
    const cells: string[] = [];
    let p99 = 0;
    for (const [qos, size] of [[1, 16], [1, 256], [2, 16], [2, 256]] as const) {
      const r = await measure(port, qos, size, proc.pid);
      if (qos === 1 && size === 16) p99 = r.p99;
      cells.push(`${Math.round(r.rate).toLocaleString("en-US")} (${r.cpu.toFixed(1)})`);
    }
    rows.push(`| ${t.name} | ${cells.join(" | ")} | ${p99.toFixed(1)} |`);
    console.error(rows[rows.length - 1]);
  } finally {
    proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(rows.join("\n"));
