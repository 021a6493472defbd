// The CLI with the operations side on (src/main.ts under the test's runtime): --http serves the
// probes and /metrics, --sys-interval publishes $SYS, -v --log-format json writes JSON lines to
// the --log-dest file, a non-loopback --http without a token exits 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { waitFor } from "../helpers/broker.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const main = join(root, "src/main.ts");
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const runArgs = (args: string[]) => (isDeno ? ["run", "-A", "--no-check", main, ...args] : ["run", main, ...args]);

/** A JSON config with a short warm-up (the default one takes a while on a busy machine). */
function warmupConf(dir: string): string {
  const path = join(dir, "vireo.json");
  writeFileSync(path, JSON.stringify({ warmupMessages: 2000 }));
  return path;
}

/** Starts the CLI; resolves once both ready lines are out, with the ports and a stop function. */
function startCli(args: string[]): Promise<{ mqttPort: number; httpPort: number; stop(): Promise<number | null>; stderr(): string }> {
  const child = spawn(process.execPath, runArgs(args), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  let out = "", err = "";
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => {
    clearTimeout(guard);
    r(code);
  }));
  child.stderr!.on("data", (d) => (err += String(d)));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += String(d);
      const m = /listening on 127\.0\.0\.1:(\d+) \(mqtt\)[\s\S]*listening on 127\.0\.0\.1:(\d+) \(http\)/.exec(out);
      if (m !== null) {
        resolve({
          mqttPort: Number(m[1]), httpPort: Number(m[2]), stderr: () => err,
          stop: () => (process.kill(child.pid!, "SIGTERM"), exited),
        });
      }
    });
    exited.then((code) => reject(new Error(`CLI exited ${code} before ready: ${err}`)));
  });
}

test("CLI: --http serves /healthz and /metrics, $SYS every second, JSON log lines to a file", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-cli-ops-"));
  const logFile = join(dir, "vireo.log");
  const cli = await startCli(["--host", "127.0.0.1", "-p", "0", "--http", "127.0.0.1:0", "--sys-interval", "1",
    "-c", warmupConf(dir),
    "-v", "--log-format", "json", "--log-dest", `file ${logFile}`]);
  let client: mqtt.MqttClient | null = null;
  try {
    const base = `http://127.0.0.1:${cli.httpPort}`;
    assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: "ok" });
    assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), { status: "ready" });
    client = mqtt.connect({ host: "127.0.0.1", port: cli.mqttPort, clientId: "cli-ops", reconnectPeriod: 0 });
    const sys: string[] = [];
    client.on("message", (topic, payload) => sys.push(`${topic}=${payload}`));
    await new Promise<void>((r) => client!.on("connect", () => r()));
    await client.subscribeAsync("$SYS/broker/clients/connected");
    await waitFor(() => sys.includes("$SYS/broker/clients/connected=1"), "$SYS clients/connected = 1", 5000);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^vireo_clients_connected 1$/m);
    await client.endAsync();
    client = null;
    const read = () => readFileSync(logFile, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    await waitFor(() => read().some((l) => l.event === "disconnect"), "the disconnect line", 5000);
    const lines = read();
    const connected = lines.find((l) => l.event === "connect");
    assert.ok(connected, JSON.stringify(lines));
    assert.match(connected.ts, /^\d{4}-\d\d-\d\dT/);
    assert.equal(connected.level, "notice");
    assert.equal(connected.clientId, "cli-ops");
    assert.match(connected.address, /^127\.0\.0\.1:\d+$/);
    assert.match(connected.msg, /^New client connected from 127\.0\.0\.1:\d+ as cli-ops \(p2, c1, k60\)\.$/);
    const gone = lines.find((l) => l.event === "disconnect");
    assert.equal(gone.clientId, "cli-ops");
    assert.equal(gone.reason, "client DISCONNECT");
    assert.equal(gone.willApplies, false);
    assert.ok(!lines.some((l) => /warmup/.test(l.msg)), "the warm-up's clients are not logged");
  } finally {
    client?.end(true);
    const code = await cli.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, cli.stderr());
  }
});

test("CLI: an http listener on a non-loopback address without --api-token exits 2 before starting", async () => {
  const child = spawn(process.execPath, runArgs(["-p", "0", "--http", "0.0.0.0:0"]), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += String(d)));
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  assert.equal(code, 2);
  assert.match(err, /the http listener 0\.0\.0\.0:0 is reachable from other machines: set "apiToken" \(--api-token\) for its admin API/);
});
