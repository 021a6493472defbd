/**
 * CLI entry: `bun run src/main.ts [options]` or `deno run -A src/main.ts [options]`.
 * Prints `vireo listening on HOST:PORT (mqtt)` once ready (with a note when it listens on
 * loopback only because no authentication is configured). SIGINT / SIGTERM shut down cleanly
 * (wills published, v5 clients get DISCONNECT 0x8B) and exit 0; SIGHUP re-reads the password and
 * ACL files; bad flags or config (a broken password or ACL file too), or an address that cannot be
 * bound, exit 2. `… src/main.ts passwd …` is `vireo passwd` (auth/passwd_cli.ts).
 */
import process from "node:process";
import { Broker } from "./broker/broker.ts";
import { HELP_TEXT, onePlainListener, resolveConfig, type ResolvedConfig } from "./config/cli.ts";
import { ConfigError } from "./config/config.ts";
import { checkCanListen, listenError } from "./listeners/bind_check.ts";
import { lowerRuntimeThreads } from "./platform/thread_priority.ts";

/** Exit code for invalid flags or configuration. */
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

/** Calls `reload` on SIGHUP (not on Windows, which has none). */
function onHangup(reload: () => void): void {
  if (process.platform === "win32") return;
  const deno = (globalThis as { Deno?: { addSignalListener(s: string, f: () => void): void } }).Deno;
  if (deno !== undefined) deno.addSignalListener("SIGHUP", reload);
  else process.on("SIGHUP", reload);
}

/** The broker, or exit 2 when a password or ACL file is broken (one line naming FILE:LINE). */
function createBroker(config: ResolvedConfig["config"]): Broker {
  try {
    return new Broker({ ...config, log: (m) => console.error(`vireo: ${m}`) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`vireo: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "passwd") {
    const { passwdMain } = await import("./auth/passwd_cli.ts");
    process.exit(await passwdMain(process.argv.slice(3)));
  }
  const { config, help, warnings } = configFromArgs();
  if (help) {
    console.log(HELP_TEXT);
    return;
  }
  for (const w of warnings) console.error(`vireo: ${w}`);
  const broker = createBroker(config); // reads the password and ACL files: a broken one exits 2 here
  // A port in use is reported now, not after the warm-up's second or more.
  await checkCanListen([{ host: broker.bindHost, port: config.port }]).catch(exitListenFailed);
  await broker.warmUp(); // config.warmupMessages through the hot path, before the port opens
  await lowerRuntimeThreads(config.runtimeThreadsNice); // after the warm-up's compiles
  let addr: { host: string; port: number };
  try {
    addr = await broker.listen();
  } catch (err) {
    exitListenFailed(listenError(broker.bindHost, config.port, err));
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
  onHangup(() => {
    const errors = broker.reload();
    for (const e of errors) console.error(`vireo: reload: ${e} (previous rules kept)`);
    if (errors.length === 0) console.error("vireo: reloaded password and ACL files");
  });
  const loopback = addr.host === "127.0.0.1" || addr.host === "::1" || addr.host === "localhost";
  if (!loopback && broker.allowsAnonymous) {
    console.error(`vireo: warning: anonymous clients can connect from any address on ${addr.host}:${addr.port} (set passwordFile, or allowAnonymous: false)`);
  }
  const note = config.host === "" && loopback ? " - loopback only: no authentication configured (--host 0.0.0.0 opens it)" : "";
  console.log(`vireo listening on ${addr.host}:${addr.port} (mqtt)${note}`);
}

await main();
