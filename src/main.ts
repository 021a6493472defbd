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
import { StorageError } from "./storage/types.ts";
import { checkCanListen, listenError } from "./listeners/bind_check.ts";
import { lowerRuntimeThreads } from "./platform/thread_priority.ts";

/** Exit code for invalid flags or configuration, and for unusable storage. */
const EXIT_CONFIG = 2;
/** Exit code when an address cannot be bound (a start-up error like a bad config). */
const EXIT_LISTEN = 2;

function configFromArgs(): ResolvedConfig {
  try {
    return onePlainListener(resolveConfig(process.argv.slice(2)));
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
  const { config, help, warnings } = configFromArgs();
  if (help) {
    console.log(HELP_TEXT);
    return;
  }
  for (const w of warnings) console.error(`vireo: ${w}`);
  // A port in use is reported now, not after the warm-up's second or more.
  await checkCanListen([{ host: config.host, port: config.port }]).catch(exitListenFailed);
  const broker = new Broker({ ...config, log: (m) => console.error(`vireo: ${m}`) });
  try {
    await broker.open(); // restore (and lock the data directory) before anything else
  } catch (err) {
    if (!(err instanceof StorageError)) throw err;
    console.error(`vireo: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
  await broker.warmUp(); // config.warmupMessages through the hot path, before the port opens
  await lowerRuntimeThreads(config.runtimeThreadsNice); // after the warm-up's compiles
  let addr: { host: string; port: number };
  try {
    addr = await broker.listen();
  } catch (err) {
    exitListenFailed(listenError(config.host, config.port, err));
  }
  let stopping = false;
  // Before the ready line: whoever reads it may signal at once.
  onSignals(() => {
    if (stopping) return;
    stopping = true;
    broker.close().then(() => process.exit(0), (err) => {
      console.error(`vireo: shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    });
  });
  console.log(`vireo listening on ${addr.host}:${addr.port} (mqtt)`);
}

await main();
