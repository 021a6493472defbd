// Runs the CLI (src/main.ts) under the runtime running the test: runEntry (cli.ts) for the broker's entry point.
import { type CliResult, runEntry } from "./cli.ts";

export type { CliResult } from "./cli.ts";

/**
 * Spawns the CLI with `args`; `onLine` sees each stdout line with a signal sender. Resolves once
 * it exits; killed with SIGKILL after `timeoutMs` so a test never hangs.
 */
export function runCli(args: string[], onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void, timeoutMs = 15_000): Promise<CliResult> {
  return runEntry("src/main.ts", args, { onLine: onLine && ((line, signal) => onLine(line, (sig) => signal(sig))), timeoutMs });
}
