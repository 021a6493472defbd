/**
 * Process plumbing for the end-to-end runner: build vload, start a broker pinned to CPU 0 and
 * find the PID that listens, run vload pinned to CPU 1 with a hard timeout, stop by PID.
 * Only processes started here are ever signalled, and only by their PID.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (two levels above this file). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LOADGEN_DIR = join(ROOT, "bench", "loadgen");
/** Path of the built load generator. */
export const VLOAD = join(ROOT, "bench", "bin", "vload");

/** Builds bench/bin/vload with `cc -O2` (linking OpenSSL) unless it is newer than every source. Throws on failure. */
export function buildVload(): string {
  const sources = readdirSync(LOADGEN_DIR).filter((f) => f.endsWith(".c") || f.endsWith(".h"));
  const newest = Math.max(...sources.map((f) => statSync(join(LOADGEN_DIR, f)).mtimeMs));
  if (existsSync(VLOAD) && statSync(VLOAD).mtimeMs >= newest) return VLOAD;
  mkdirSync(join(ROOT, "bench", "bin"), { recursive: true });
  const cfiles = sources.filter((f) => f.endsWith(".c")).map((f) => join(LOADGEN_DIR, f));
  // OpenSSL for --tls-ca (Debian: libssl-dev).
  const r = spawnSync("cc", ["-O2", "-Wall", "-o", VLOAD, ...cfiles, "-lssl", "-lcrypto"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building vload failed:\n${r.stderr}`);
  return VLOAD;
}

/** Whether an executable is on PATH. */
export function onPath(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Priority for broker and load generator: as root, `nice -n -20` (BENCH_NICE overrides; "" for
 * none) so that other work on a shared machine disturbs the measurement less.
 */
function nicePrefix(): string[] {
  const env = process.env.BENCH_NICE;
  const level = env !== undefined ? env : process.getuid?.() === 0 ? "-20" : "";
  return level === "" ? [] : ["nice", "-n", level];
}

/** `argv` pinned to one CPU, at the benchmark priority (nice and taskset exec: same PID). */
function pinned(cpu: number, argv: string[]): [string, string[]] {
  const full = [...nicePrefix(), "taskset", "-c", String(cpu), ...argv];
  return [full[0]!, full.slice(1)];
}

/** Resolves true if something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
    s.setTimeout(500, () => done(false));
  });
}

/** Inodes of sockets listening on 127.0.0.1:port, from /proc/net/tcp. */
function listenInodes(port: number): Set<string> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const out = new Set<string>();
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[1]?.endsWith(`:${hex}`) && f[3] === "0A") out.add(f[9]!);
  }
  return out;
}

/** The PID among `root` and its descendants that holds the listening socket, else `root`. */
function listenerPid(root: number, port: number): number {
  const inodes = listenInodes(port);
  const kids = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch { /* exited meanwhile */ }
  }
  const queue = [root];
  for (let i = 0; i < queue.length && i < 64; i++) {
    const pid = queue[i]!;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m && inodes.has(m[1]!)) return pid;
      }
    } catch { /* not readable or gone */ }
    queue.push(...(kids.get(pid) ?? []));
  }
  return root;
}

/** A broker process started by the runner. */
export interface RunningBroker {
  child: ChildProcess;
  /** PID of the process that listens (for /proc CPU and RSS figures). */
  pid: number;
  log: string[];
}

/** Starts `argv` pinned to CPU 0 and waits (at most `timeoutMs`) until the port accepts. */
export async function startBroker(argv: string[], port: number, timeoutMs = 20_000): Promise<RunningBroker> {
  const [cmd, args] = pinned(0, argv);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const keep = (b: Buffer) => { if (log.length < 200) log.push(b.toString()); };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`broker exited (${child.exitCode ?? child.signalCode}): ${log.join("").slice(-400)}`);
    }
    if (await portOpen(port)) {
      await sleep(200); // let the first accept settle before load starts
      return { child, pid: listenerPid(child.pid!, port), log };
    }
    await sleep(100);
  }
  await stopBroker({ child, pid: child.pid!, log });
  throw new Error(`broker did not listen on ${port} within ${timeoutMs} ms`);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** SIGTERM, then SIGKILL after 3 s, to the listener PID and the spawned PID (if different). */
export async function stopBroker(b: RunningBroker): Promise<void> {
  const pids = [...new Set([b.pid, b.child.pid!])];
  for (const pid of pids) { try { process.kill(pid, "SIGTERM"); } catch { /* gone */ } }
  for (let i = 0; i < 30 && pids.some(alive); i++) await sleep(100);
  for (const pid of pids) if (alive(pid)) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
  for (let i = 0; i < 20 && pids.some(alive); i++) await sleep(100);
}

/** Runs vload pinned to CPU 1; kills it (by PID) if it outlives `maxSeconds` + 10 s. */
export function runVload(args: string[], maxSeconds: number): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const [cmd, argv] = pinned(1, [VLOAD, ...args, "--max-time", String(maxSeconds)]);
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (b: Buffer) => { out += b.toString(); });
    child.stderr!.on("data", (b: Buffer) => { if (err.length < 4000) err += b.toString(); });
    const timer = setTimeout(() => { try { process.kill(child.pid!, "SIGKILL"); } catch { /* gone */ } },
      (maxSeconds + 10) * 1000);
    child.on("close", () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as Record<string, unknown>);
      } catch {
        resolve({ ok: false, error: `vload produced no JSON: ${err.trim().slice(0, 300)}` });
      }
    });
  });
}

export { freePort } from "../../test/helpers/free_port.ts";
