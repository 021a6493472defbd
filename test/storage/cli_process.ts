/**
 * The broker CLI as a real child process on a data directory, for kill -9 and failure tests:
 * started on a free port (read from its ready line), killed by PID, its stderr kept.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const main = join(root, "src/main.ts");
const isDeno = "Deno" in globalThis;

/** A config file turning the warm-up down (tests restart brokers many times). */
const quickDir = mkdtempSync(join(tmpdir(), "vireo-cli-cfg-"));
const quick = join(quickDir, "quick.json");
writeFileSync(quick, JSON.stringify({ warmupMessages: 2000, runtimeThreadsNice: 0 }));
chmodSync(quickDir, 0o755);
let configs = 0; // readable by a broker run as another user (read-only directory test)

/** A running (or finished) broker process. */
export interface BrokerProcess {
  pid: number;
  /** Resolves with the port once the ready line is printed, rejects if the process exits first. */
  ready: Promise<number>;
  /** Resolves with the exit code (null when killed by a signal) once it exited. */
  exited: Promise<number | null>;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `vireo --data DIR --host 127.0.0.1 --port 0 …` (or with `args` only when `data` is null).
 * `wrap` runs it under a shell command prefix (e.g. a file size limit); a 20 s guard kills it.
 */
export function startCli(data: string | null, args: string[] = [], wrap?: (argv: string[]) => string[], config?: object): BrokerProcess {
  const runtimeArgs = isDeno ? ["run", "-A", "--no-check", main] : ["run", main];
  let cfg = quick;
  if (config !== undefined) {
    cfg = join(quickDir, `c${++configs}.json`);
    writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(quick, "utf8")), ...config }));
  }
  const brokerArgs = [...(data !== null ? ["--data", data] : []), "--host", "127.0.0.1", "--port", "0", "-c", cfg, ...args];
  let argv = [process.execPath, ...runtimeArgs, ...brokerArgs];
  if (wrap) argv = wrap(argv);
  const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "", out = "";
  let onReady: (port: number) => void = () => {}, onFail: (e: Error) => void = () => {};
  const ready = new Promise<number>((res, rej) => ((onReady = res), (onFail = rej)));
  ready.catch(() => {}); // callers that only await `exited` must not see an unhandled rejection
  child.stdout!.on("data", (d) => {
    out += String(d);
    const m = /vireo listening on 127\.0\.0\.1:(\d+)/.exec(out);
    if (m) onReady(Number(m[1]));
  });
  child.stderr!.on("data", (d) => (err += String(d)));
  const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => {
    clearTimeout(guard);
    onFail(new Error(`broker exited (${code}) before listening: ${err}`));
    res(code);
  }));
  return {
    pid: child.pid!, ready, exited, stderr: () => err,
    kill: (sig) => {
      try {
        process.kill(child.pid!, sig); // by PID (child.kill misreports on Deno)
      } catch { /* already gone */ }
    },
  };
}
