// The CLI (src/main.ts) under the runtime running the test: the ready line, SIGTERM shutdown with
// DISCONNECT 0x8B and exit 0, bad flags → stderr and exit 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectPacket, RawClient } from "../helpers/raw.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const main = join(root, "src/main.ts");
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const runArgs = (args: string[]) => (isDeno ? ["run", "-A", "--no-check", main, ...args] : ["run", main, ...args]);

/** Spawns the CLI; resolves with its exit code and output once it exits (killed after 15 s). */
function runCli(args: string[], onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void) {
  const child = spawn(process.execPath, runArgs(args), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
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

test("a bad flag is reported on stderr with exit code 2", async () => {
  const r = await runCli(["--no-such-flag"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no-such-flag/);
  assert.equal(r.stdout, "");
});
