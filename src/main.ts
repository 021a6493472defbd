/**
 * CLI entry: `bun run src/main.ts [options]` or `deno run -A src/main.ts [options]`.
 * Prints `vireo listening on HOST:PORT (PROTOCOL)` for each listener once ready (with a note when
 * it listens on loopback only because no authentication is configured). SIGINT / SIGTERM shut down
 * cleanly (wills published, v5 clients get DISCONNECT 0x8B) and exit 0; SIGHUP re-reads TLS
 * certificates and keys, the password file and the ACL file; bad flags or config (a broken
 * password or ACL file too), unreadable TLS files, or an address that cannot be bound exit 2.
 * `… src/main.ts passwd …` is `vireo passwd` (auth/passwd_cli.ts).
 */
import process from "node:process";
import { Broker } from "./broker/broker.ts";
import type { BrokerOptions } from "./broker/options.ts";
import { HELP_TEXT, resolveConfig, type ResolvedConfig } from "./config/cli.ts";
import { ConfigError } from "./config/config.ts";
import { checkCanListen } from "./listeners/bind_check.ts";
import { ListenerError } from "./listeners/errors.ts";
import { StorageError } from "./storage/types.ts";
import { lowerRuntimeThreads } from "./platform/thread_priority.ts";
import { type OpsPlan, planOps } from "./ops/cli_server.ts";
import { createOpsHandler, type OpsHandler } from "./ops/http_api.ts";
import { createLogSink } from "./log/sink.ts";

/** Exit code for invalid flags or configuration, listeners that cannot be opened, and unusable storage. */
const EXIT_CONFIG = 2;

function configFromArgs(): ResolvedConfig & { plan: OpsPlan | null } {
  try {
    const resolved = resolveConfig(process.argv.slice(2));
    return { ...resolved, plan: resolved.help ? null : planOps(resolved.config) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`vireo: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
}

/** Reports a start-up error (a ListenError / ListenerError says which address and why) and exits. */
function exitStartFailed(err: Error): never {
  console.error(`vireo: ${err.message}`);
  process.exit(EXIT_CONFIG);
}

/** Calls `f` on each of `signals` (Deno's own API there, node:process elsewhere). */
function onSignals(signals: string[], f: () => void): void {
  const deno = (globalThis as { Deno?: { addSignalListener(s: string, f: () => void): void } }).Deno;
  for (const sig of signals) {
    if (deno !== undefined) deno.addSignalListener(sig, f);
    else process.on(sig, f);
  }
}

/** The broker, or exit 2 when a password or ACL file is broken (one line naming FILE:LINE). */
function createBroker(options: BrokerOptions): Broker {
  try {
    return new Broker(options);
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
  const { config, help, warnings, plan } = configFromArgs();
  if (help) {
    console.log(HELP_TEXT);
    return;
  }
  for (const w of warnings) console.error(`vireo: ${w}`);
  // -v is Mosquitto's "log_type all"; connection lines are notice, produced only when enabled.
  const log = createLogSink({ format: config.logFormat, types: config.verbose ? ["all"] : config.logType, dests: config.logDest });
  if (plan!.warning !== undefined) console.error(`vireo: warning: ${plan!.warning}`);
  let ops: OpsHandler | null = null;
  const broker = createBroker({
    ...config, listeners: plan!.listeners, verbose: config.verbose || log.enabled("notice"), log,
    httpHandler: plan!.serve ? (req) => ops!(req) : undefined,
  }); // reads the password and ACL files: a broken one exits 2 here
  // A port in use is reported now, not after the warm-up's second or more.
  await checkCanListen(broker.listenerConfigs).catch(exitStartFailed);
  try {
    await broker.open(); // restore (and lock the data directory) before anything else
  } catch (err) {
    if (!(err instanceof StorageError)) throw err;
    console.error(`vireo: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
  await broker.warmUp(); // config.warmupMessages through the hot path, before the port opens
  // After the warm-up: its traffic is no one's busiest topic. No request comes before listen().
  if (plan!.serve) ops = createOpsHandler(broker, { token: config.apiToken });
  await lowerRuntimeThreads(config.runtimeThreadsNice); // after the warm-up's compiles
  let addr: Awaited<ReturnType<Broker["listen"]>>;
  try {
    addr = await broker.listen();
  } catch (err) {
    if (!(err instanceof ListenerError)) throw err;
    exitStartFailed(err);
  }
  let stopping = false;
  // Before the ready line: whoever reads it may signal at once.
  onSignals(["SIGHUP"], () => {
    broker.reloadTls().then((problems) => {
      for (const p of problems) console.error(`vireo: ${p} (kept the old certificate)`);
    }, (err) => console.error(`vireo: TLS reload failed: ${(err as Error).message}`));
  });
  onSignals(["SIGINT", "SIGTERM"], () => {
    if (stopping) return;
    stopping = true;
    ops?.close(); // ends the dashboards' event streams, so the listeners can close
    broker.close().then(() => process.exit(0), (err) => {
      console.error(`vireo: shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    });
  });
  onSignals(["SIGHUP"], () => {
    const errors = broker.reload();
    for (const e of errors) console.error(`vireo: reload: ${e} (previous rules kept)`);
    if (errors.length === 0 && broker.core.access !== null) console.error("vireo: reloaded password and ACL files");
  });
  const implicit = config.listeners.length === 0 && config.host === ""; // the access policy chose the address
  for (const l of addr.listeners) {
    const loopback = l.host === "127.0.0.1" || l.host === "::1" || l.host === "localhost";
    if (!loopback && l.protocol !== "http" && broker.allowsAnonymous) {
      console.error(`vireo: warning: anonymous clients can connect from any address on ${l.host}:${l.port} (set passwordFile, or allowAnonymous: false)`);
    }
    const note = implicit && loopback ? " - loopback only: no authentication configured (--host 0.0.0.0 opens it)" : "";
    console.log(`vireo listening on ${l.host}:${l.port} (${l.protocol})${note}`);
  }
}

await main();
