/**
 * The brokers the end-to-end runner compares: Vireo from this checkout, and Mosquitto (the
 * reference) when `mosquitto` is on PATH, with a generated minimal configuration.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onPath, ROOT } from "./procs.ts";

/** How to start one broker on a given port (127.0.0.1 only). */
export interface BrokerSpec {
  name: string;
  argv(port: number): string[];
}

/**
 * Vireo: `bun run src/main.ts -p PORT --host 127.0.0.1` with the repository's bun, with its
 * defaults; BENCH_VIREO_CONFIG=FILE adds `-c FILE` (e.g. to lift queue limits for an experiment).
 * In memory (`--memory`) unless BENCH_VIREO_DATA=DIR asks for persistence there.
 */
export const vireo: BrokerSpec = {
  name: "vireo",
  argv: (port) => [join(ROOT, "node_modules", ".bin", "bun"), "run", "src/main.ts",
    ...(process.env.BENCH_VIREO_CONFIG ? ["-c", process.env.BENCH_VIREO_CONFIG] : []),
    "-p", String(port), "--host", "127.0.0.1", ...(process.env.BENCH_VIREO_DATA ? ["--data", process.env.BENCH_VIREO_DATA] : ["--memory"])],
};

/**
 * Mosquitto with a generated config: one local listener, anonymous, no persistence, no log.
 * BENCH_MOSQUITTO_EXTRA adds lines (separated by ";"), e.g. "max_queued_messages 0".
 */
export const mosquitto: BrokerSpec = {
  name: "mosquitto",
  argv: (port) => {
    const dir = join(tmpdir(), `vireo-bench-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, `mosquitto-${port}.conf`);
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, "allow_anonymous true",
      "persistence false", "log_dest none",
      ...(process.env.BENCH_MOSQUITTO_EXTRA ?? "").split(";").map((l) => l.trim()).filter(Boolean),
      ""].join("\n"));
    return ["mosquitto", "-c", conf];
  },
};

/** Vireo, plus Mosquitto if installed (and not excluded). */
export function availableBrokers(withReference = true): BrokerSpec[] {
  return withReference && onPath("mosquitto") ? [vireo, mosquitto] : [vireo];
}
