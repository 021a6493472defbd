// The CLI (src/main.ts) under the runtime running the test: the ready line, SIGTERM shutdown with
// DISCONNECT 0x8B and exit 0, bad flags → stderr and exit 2, helper threads at nice 19.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectPacket, RawClient } from "../helpers/raw.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const main = join(root, "src/main.ts");
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
// --memory: these tests are about the CLI itself; test/storage/ covers the data directory.
const runArgs = (args: string[]) => (isDeno ? ["run", "-A", "--no-check", main, "--memory", ...args] : ["run", main, "--memory", ...args]);

/** PID of the last CLI spawned by runCli. */
let childPid = 0;

/** Spawns the CLI; resolves with its exit code and output once it exits (killed after 15 s). */
function runCli(args: string[], onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void) {
  const child = spawn(process.execPath, runArgs(args), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  childPid = child.pid!;
  let stdout = "", stderr = "";
  const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
  child.stdout!.on("data", (d) => {
    stdout += String(d);
    for (const line of String(d).split("\n")) if (line) onLine?.(line, (sig) => process.kill(child.pid!, sig)); // child.kill misreports the exit code on Deno
  });
  child.stderr!.on("data", (d) => (stderr += String(d)));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

test("prints the ready line, serves MQTT, and on SIGTERM sends v5 DISCONNECT 0x8B and exits 0", async () => {
  let raw: RawClient | null = null;
  let disconnectReason = -1;
  let client: Promise<void> = Promise.resolve();
  const done = runCli(["--host", "127.0.0.1", "--port", "0"], (line, kill) => {
    const m = /^vireo listening on 127\.0\.0\.1:(\d+) \(mqtt\)$/.exec(line);
    if (m === null) return;
    client = (async () => {
      raw = await RawClient.open(Number(m[1]), 5);
      raw.sendPacket(connectPacket("cli", 5), 5);
      await raw.next("connack", 5000);
      kill("SIGTERM");
      disconnectReason = (await raw.next("disconnect", 5000)).reasonCode;
    })().catch(() => kill("SIGKILL"));
  });
  const r = await done;
  await client;
  (raw as RawClient | null)?.destroy();
  assert.match(r.stdout, /^vireo listening on 127\.0\.0\.1:\d+ \(mqtt\)$/m);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(disconnectReason, 0x8b);
});

test("SIGTERM sent the moment the ready line is read still shuts down cleanly (exit 0)", async () => {
  for (let i = 0; i < 3; i++) { // the race lost 3 times in 5 when handlers came after the line
    const r = await runCli(["--host", "127.0.0.1", "--port", "0"], (line, kill) => {
      if (line.startsWith("vireo listening")) kill("SIGTERM");
    });
    assert.equal(r.code, 0, r.stderr);
  }
});

test("a bad flag is reported on stderr with exit code 2", async () => {
  const r = await runCli(["--no-such-flag"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no-such-flag/);
  assert.equal(r.stdout, "");
});

/** Nice value of each thread of process `pid`, by thread id. */
function threadNiceValues(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])); // field 19
  }
  return out;
}

/** Starts the CLI with `args`, reads its threads' nice values once it is listening, then stops it. */
async function niceValuesOfRunningCli(args: string[]): Promise<{ pid: number; niceValues: Map<number, number> }> {
  let pid = 0, niceValues = new Map<number, number>();
  let served: Promise<void> = Promise.resolve();
  const r = await runCli(["--host", "127.0.0.1", "--port", "0", ...args], (line, kill) => {
    const m = /^vireo listening on 127\.0\.0\.1:(\d+) \(mqtt\)$/.exec(line);
    if (m === null) return;
    pid = childPid;
    niceValues = threadNiceValues(pid);
    served = (async () => { // once it has served a client, its signal handlers are surely installed
      const raw = await RawClient.open(Number(m[1]), 4);
      raw.sendPacket(connectPacket("niceValues", 4), 4);
      await raw.next("connack", 5000);
      raw.destroy();
      kill("SIGTERM");
    })().catch(() => kill("SIGKILL"));
  });
  await served;
  assert.equal(r.code, 0, r.stderr);
  return { pid, niceValues };
}

test("the CLI runs the runtime's helper threads at nice 19 and the event loop at nice 0", { skip: process.platform !== "linux" }, async () => {
  const { pid, niceValues } = await niceValuesOfRunningCli([]);
  assert.equal(niceValues.get(pid), 0, "the event loop keeps its priority");
  const helpers = [...niceValues].filter(([tid]) => tid !== pid);
  assert.ok(helpers.length > 0, "the runtime has helper threads");
  assert.deepEqual(helpers.filter(([, nice]) => nice !== 19), [], "every helper thread is at nice 19");
});

test("runtimeThreadsNice: 0 leaves every thread at nice 0", { skip: process.platform !== "linux" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-cli-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ runtimeThreadsNice: 0, warmupMessages: 1000 }));
  try {
    const { niceValues } = await niceValuesOfRunningCli(["-c", file]);
    assert.ok(niceValues.size > 1);
    assert.deepEqual([...niceValues.values()].filter((p) => p !== 0), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
