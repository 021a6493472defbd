/**
 * Runs one of the project's entry points (src/main.ts, bench/index.ts) as a child process under the
 * runtime running the test, and collects what it prints.
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** What a finished child printed, its exit code and how long it ran. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Options of runEntry. */
export interface RunOptions {
  /** Called with each stdout line; `signal` sends a signal (default SIGTERM) to the child, by its PID. */
  onLine?: (line: string, signal: (sig?: NodeJS.Signals) => void) => void;
  /** SIGKILL after this long (default 20 s). */
  timeoutMs?: number;
}

/**
 * The broker persists in ./data by default: tests that are not about storage run it with --memory,
 * so they neither write into the repository nor restore what another test left there.
 */
export function brokerArgs(file: string, args: string[]): string[] {
  if (!file.endsWith("src/main.ts") || args.some((a) => a === "--memory" || a.startsWith("--data"))) return args;
  return ["--memory", ...args];
}

/** Spawns `bun run FILE ARGS` or `deno run -A --no-check FILE ARGS`; resolves once it exits. */
export function runEntry(file: string, args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const path = join(ROOT, file);
  args = brokerArgs(file, args);
  const argv = isDeno ? ["run", "-A", "--no-check", path, ...args] : ["run", path, ...args];
  const t0 = Date.now();
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid!;
  let stdout = "", stderr = "", partial = "";
  const guard = setTimeout(() => process.kill(pid, "SIGKILL"), opts.timeoutMs ?? 20_000);
  // process.kill by PID: child.kill misreports the exit code on Deno.
  const stop = (sig: NodeJS.Signals = "SIGTERM") => {
    try { process.kill(pid, sig); } catch { /* already gone */ }
  };
  child.stdout!.on("data", (d) => {
    stdout += String(d);
    partial += String(d);
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) opts.onLine?.(line, stop);
  });
  child.stderr!.on("data", (d) => (stderr += String(d)));
  return new Promise((resolve) => {
    child.on("close", (code) => { // after stdout and stderr ended
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}
