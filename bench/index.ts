/**
 * `bun bench`: the project's benchmark suite. Runs the micro-benchmarks (codec against
 * mqtt-packet, topic index against qlobber) and then the end-to-end comparison (Vireo against
 * Mosquitto when installed, via the project's C load generator bench/loadgen), prints the
 * tables and writes everything to bench/results/<timestamp>.json. Progress goes to stderr.
 *
 *   bun bench                      full: micro + all e2e cases, 3 repetitions (about 15 min)
 *   bun bench --quick              1 repetition, short runs, a subset of cases (about 2.5 min)
 *   bun bench --cases '^tp-'       only e2e cases matching the regex (micro still runs)
 *   bun bench --reps 5 --duration 4
 *   bun bench --micro-only | --e2e-only | --no-reference
 *   bun bench --help               every option with its default (bench/args.ts)
 * The durations are those of RUN_TIME in bench/args.ts (README "Benchmark" states the same).
 * The e2e part needs Linux (taskset, /proc) and a C compiler (cc).
 */
import { existsSync } from "node:fs";
import { cpus, release } from "node:os";
import { fileURLToPath } from "node:url";
import { codecTable, runCodecBenchmarks, type CodecBenchRow } from "./codec.bench.ts";
import { benchArgsOrExit } from "./args.ts";
import { runE2E, type E2EResult } from "./e2e/run.ts";
import { Progress } from "./progress.ts";
import { writeResults } from "./e2e/report.ts";

/** A row of a micro-benchmark table (codec or topics). */
export interface MicroRow {
  name: string;
  opsPerSec: number;
  mbPerSec?: number;
  ratio?: number;
}

async function topicRows(quick: boolean): Promise<MicroRow[] | null> {
  const path = fileURLToPath(new URL("./topics.bench.ts", import.meta.url));
  if (!existsSync(path)) return null;
  const mod = await import(path) as { runTopicBenchmarks?: (o: object) => Promise<MicroRow[]> };
  if (!mod.runTopicBenchmarks) return null;
  return mod.runTopicBenchmarks(quick
    ? { sizes: [10_000, 100_000], retainedSizes: [100_000], time: 200, print: false }
    : { print: false });
}

function microTable(rows: MicroRow[]): string {
  const lines = ["| benchmark | ops/s | ratio |", "|---|---|---|"];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString("en-US")} | ${r.ratio?.toFixed(2) ?? "—"} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const opts = benchArgsOrExit(process.argv.slice(2));
  const micro = new Progress(t0);
  const out: { codec?: CodecBenchRow[]; topics?: MicroRow[] | null; e2e?: E2EResult; error?: string[] } = {};
  const errors: string[] = [];
  console.log(`vireo bench${opts.quick ? " --quick" : ""}: ${cpus().length} CPUs, Linux ${release()}, ` +
    `bun ${process.versions.bun ?? "-"}, node ${process.versions.node}`);
  if (!opts.e2eOnly) {
    micro.step("micro", 1, 2, "codec: WASM vs mqtt-packet", "codec", ["topics"]);
    console.log("\n## Codec: WASM vs mqtt-packet\n");
    try {
      out.codec = await runCodecBenchmarks({ time: opts.quick ? 150 : 500, print: false });
      console.log(codecTable(out.codec));
    } catch (e) {
      errors.push(`codec: ${(e as Error).message}`);
      console.log(`codec benchmarks failed: ${(e as Error).message}`);
    }
    micro.step("micro", 2, 2, "topic index: WASM trie vs qlobber", "topics", []);
    console.log("\n## Topic index: WASM trie vs qlobber\n");
    try {
      out.topics = await topicRows(opts.quick);
      console.log(out.topics ? microTable(out.topics) : "(bench/topics.bench.ts not present)");
    } catch (e) {
      errors.push(`topics: ${(e as Error).message}`);
      console.log(`topic benchmarks failed: ${(e as Error).message}`);
    }
    micro.finish();
  }
  if (!opts.microOnly) {
    console.log("\n## End to end (bench/loadgen vload; broker on CPU 0, load on CPU 1)\n");
    try {
      out.e2e = await runE2E({ ...opts, progress: new Progress(t0) });
      console.log(`\n${out.e2e.table}\n`);
      // A ratio needs the reference broker measured in the same run.
      if (out.e2e.brokers.length > 1) {
        console.log(`Ratio = ${out.e2e.brokers[0]} / ${out.e2e.brokers[1]} (↑: higher is better, ↓: lower is better).`);
      }
      console.log("CPU % is of one core; a side at ≥ 85 % is the limit, \"neither\" means latency- or " +
        "window-bound. The load generator's (user) share is its own code; the rest is kernel loopback TCP work.");
    } catch (e) {
      errors.push(`e2e: ${(e as Error).message}`);
      console.log(`e2e benchmarks failed: ${(e as Error).message}`);
    }
  }
  if (errors.length) out.error = errors;
  const path = writeResults({
    kind: "bench", date: new Date().toISOString(), quick: opts.quick, cpus: cpus().length,
    kernel: release(), bun: process.versions.bun, seconds: (Date.now() - t0) / 1000, ...out,
  });
  console.log(`\nresults: ${path} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  if (errors.length) process.exitCode = 1;
}

await main();
