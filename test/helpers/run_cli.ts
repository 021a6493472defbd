// Runs the CLI (src/main.ts) under the runtime running the test, as test/broker/cli.test.ts does.
import { spawn } from "node:child_process";
import { brokerArgs } from "./cli.ts";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const main = join(root, "src/main.ts");
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const runArgs = (args: string[]) => {
  args = brokerArgs(main, args);
  return isDeno ? ["run", "-A", "--no-check", main, ...args] : ["run", main, ...args];
};

/** What a CLI run printed and how it ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns the CLI with `args`; `onLine` sees each stdout line with a signal sender. Resolves once
 * it exits; killed with SIGKILL after `timeoutMs` so a test never hangs.
 */
export function runCli(args: string[], onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void, timeoutMs = 15_000): Promise<CliResult> {
  const child = spawn(process.execPath, runArgs(args), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  const guard = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  child.stdout!.on("data", (d) => {
    stdout += String(d);
    for (const line of String(d).split("\n")) if (line) onLine?.(line, (sig) => process.kill(child.pid!, sig)); // child.kill misreports the exit code on Deno
  });
  child.stderr!.on("data", (d) => (stderr += String(d)));
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}
