/**
 * CLI entry: `bun run src/main.ts [options]` or `deno run -A src/main.ts [options]`.
 * Prints `vireo listening on HOST:PORT (mqtt)` once ready. SIGINT / SIGTERM shut down cleanly
 * (wills published, v5 clients get DISCONNECT 0x8B) and exit 0; bad flags or config, or an
 * address that cannot be bound, exit 2.
 */
import process from "node:process";
import { Broker } from "./broker/broker.ts";
import { HELP_TEXT, onePlainListener, resolveConfig, type ResolvedConfig } from "./config/cli.ts";
import { ConfigError } from "./config/config.ts";
import { checkCanListen, listenError } from "./listeners/bind_check.ts";
import { lowerRuntimeThreads } from "./platform/thread_priority.ts";
import { opsAddress, startOpsServer } from "./ops/cli_server.ts";
import { createLogSink } from "./log/sink.ts";

/** Exit code for invalid flags or configuration. */
const EXIT_CONFIG = 2;
/** Exit code when an address cannot be bound (a start-up error like a bad config). */
const EXIT_LISTEN = 2;

function configFromArgs(): ResolvedConfig & { http: ReturnType<typeof opsAddress> } {
  try {
    const resolved = onePlainListener(resolveConfig(process.argv.slice(2)));
    return { ...resolved, http: resolved.help ? null : opsAddress(resolved.config) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`vireo: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
}

/** Reports an address that cannot be bound (a ListenError says which and why) and exits. */
function exitListenFailed(err: Error): never {
  console.error(`vireo: ${err.message}`);
  process.exit(EXIT_LISTEN);
}

/** Calls `stop` once on SIGINT or SIGTERM (Deno's own API there, node:process elsewhere). */
function onSignals(stop: () => void): void {
  const deno = (globalThis as { Deno?: { addSignalListener(s: string, f: () => void): void } }).Deno;
  for (const sig of ["SIGINT", "SIGTERM"]) {
    if (deno !== undefined) deno.addSignalListener(sig, stop);
    else process.on(sig, stop);
  }
}

async function main(): Promise<void> {
  const { config, help, warnings, http } = configFromArgs();
  if (help) {
    console.log(HELP_TEXT);
    return;
  }
  for (const w of warnings) console.error(`vireo: ${w}`);
  // A port in use is reported now, not after the warm-up's second or more.
  await checkCanListen([{ host: config.host, port: config.port }]).catch(exitListenFailed);
  // -v is Mosquitto's "log_type all"; connection lines are notice, produced only when enabled.
  const log = createLogSink({ format: config.logFormat, types: config.verbose ? ["all"] : config.logType, dests: config.logDest });
  const broker = new Broker({ ...config, verbose: config.verbose || log.enabled("notice"), log });
  await broker.warmUp(); // config.warmupMessages through the hot path, before the port opens
  await lowerRuntimeThreads(config.runtimeThreadsNice); // after the warm-up's compiles
  let addr: { host: string; port: number };
  try {
    addr = await broker.listen();
  } catch (err) {
    exitListenFailed(listenError(config.host, config.port, err));
  }
  let ops: Awaited<ReturnType<typeof startOpsServer>> | null = null;
  try {
    if (http !== null) ops = await startOpsServer(broker, config, http);
  } catch (err) {
    console.error(`vireo: cannot serve HTTP on ${config.httpListen}: ${(err as Error).message}`);
    process.exit(EXIT_LISTEN);
  }
  let stopping = false;
  // Before the ready line: whoever reads it may signal at once.
  onSignals(() => {
    if (stopping) return;
    stopping = true;
    (ops?.close() ?? Promise.resolve()).then(() => broker.close()).then(() => process.exit(0), (err) => {
      console.error(`vireo: shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    });
  });
  console.log(`vireo listening on ${addr.host}:${addr.port} (mqtt)`);
  if (ops !== null) console.log(`vireo listening on ${ops.host}:${ops.port} (http)`);
}

await main();
