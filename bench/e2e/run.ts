/**
 * End-to-end benchmark: Vireo against Mosquitto (when installed), interleaved case by case,
 * a fresh broker per run pinned to CPU 0 and vload pinned to CPU 1, medians over repetitions.
 *
 * Standalone: `bun run bench/e2e/run.ts [--quick] [--cases REGEX] [--reps N] [--duration S]`
 * (options as `bun bench`, see bench/args.ts). From bench/index.ts: `runE2E(opts)`.
 */
import { BENCH_DEFAULTS, benchArgsOrExit } from "../args.ts";
import { Progress } from "../progress.ts";
import { availableBrokers, type BrokerSpec } from "./brokers.ts";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { BENCH_CERTS, selectCases, type BenchCase } from "./cases.ts";
import { buildVload, portOpen, ROOT, runVload, startBroker, stopBroker } from "./procs.ts";
import { markdownTable, summarise, type RunRecord, type SummaryRow } from "./report.ts";

/** Options of the e2e run (all optional; see `parseBenchArgs`). */
export interface E2EOptions {
  quick?: boolean;
  /** Only cases whose name matches. */
  cases?: RegExp;
  reps?: number;
  /** Measured seconds per flow case. */
  duration?: number;
  warmup?: number;
  port?: number;
  /** Skip Mosquitto even if installed. */
  noReference?: boolean;
  log?: (line: string) => void;
  /** Where "run k of n" lines go (default: a new one on stderr). */
  progress?: Progress;
}

/** What `runE2E` returns: raw runs, summary rows, the markdown table. */
export interface E2EResult {
  brokers: string[];
  cases: string[];
  runs: RunRecord[];
  rows: SummaryRow[];
  table: string;
  seconds: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Other processes' user CPU (% of a core) above which a run is repeated (BENCH_MAX_OTHER). */
const MAX_OTHER = Number(process.env.BENCH_MAX_OTHER ?? 20);
/** How many times a disturbed run is repeated at most (BENCH_RETRIES). */
const RETRIES = Number(process.env.BENCH_RETRIES ?? 2);
/** Share of the planned runs that may be repeated in all, so a busy machine cannot stretch the
 * suite far beyond its budget (BENCH_RETRY_SHARE). */
const RETRY_SHARE = Number(process.env.BENCH_RETRY_SHARE ?? 0.2);

/** First port at or above `from` that nobody answers on (the runner never kills squatters). */
async function freePort(from: number): Promise<number> {
  for (let p = from; p < from + 50; p++) if (!(await portOpen(p))) return p;
  throw new Error(`no free port in ${from}..${from + 49}`);
}

async function oneRun(b: BrokerSpec, c: BenchCase, rep: number, portBase: number): Promise<RunRecord> {
  const port = await freePort(portBase);
  let broker;
  try {
    broker = await startBroker(b.argv(port, c.transport, c.durable, c.access), port);
  } catch (e) {
    return { broker: b.name, case: c.name, rep, result: { ok: false, error: String((e as Error).message).slice(0, 300) } };
  }
  try {
    const args = ["--port", String(port), "--pid", String(broker.pid), "--label", b.name, ...c.args];
    const result = await runVload(args, c.maxTime);
    if (result.ok !== true && broker.log.length) result.broker_log = broker.log.join("").slice(-500);
    return { broker: b.name, case: c.name, rep, result };
  } finally {
    await stopBroker(broker);
    await sleep(100);
  }
}

function brief(r: Record<string, unknown>): string {
  const keys = ["deliv_rate", "lat_p50_us", "lat_p99_us", "conn_time_s", "kib_per_conn", "ret_all_s",
    "lost", "broker_cpu_pct", "loadgen_cpu_pct", "other_user_pct", "error"];
  return keys.filter((k) => r[k] !== undefined && r[k] !== "").map((k) => `${k}=${r[k]}`).join(" ");
}

/** Runs the selected cases against every broker, `reps` times, and summarises. */
export async function runE2E(opts: E2EOptions = {}): Promise<E2EResult> {
  const t0 = Date.now();
  const log = opts.log ?? ((s: string) => console.log(s));
  const quick = opts.quick ?? false;
  const mode = quick ? "quick" : "full";
  const timing = {
    duration: opts.duration ?? BENCH_DEFAULTS.duration[mode],
    warmup: opts.warmup ?? BENCH_DEFAULTS.warmup[mode],
  };
  const reps = Math.max(1, opts.reps ?? BENCH_DEFAULTS.reps[mode]);
  const cases = selectCases(timing, quick, opts.cases);
  const brokers = availableBrokers(!opts.noReference);
  buildVload();
  // The TLS cases verify the brokers against the test CA (made once, kept in build/).
  if (cases.some((c) => c.transport !== undefined)) execFileSync("sh", [join(ROOT, "scripts", "make_test_certs.sh"), BENCH_CERTS]);
  if (brokers.length < 2) {
    log(`e2e: ${opts.noReference ? "--no-reference" : "mosquitto not on PATH"}; measuring Vireo alone (no ratios)`);
  }
  log(`e2e: ${cases.length} cases × ${brokers.map((b) => b.name).join(", ")} × ${reps} reps ` +
    `(flow cases ${timing.warmup}+${timing.duration} s); broker on CPU 0, vload on CPU 1`);
  const runs: RunRecord[] = [];
  const portBase = opts.port ?? BENCH_DEFAULTS.port;
  const progress = opts.progress ?? new Progress(t0);
  const plan: string[] = []; // each run's kind (case and broker: its duration repeats across reps)
  for (let rep = 1; rep <= reps; rep++) for (const c of cases) for (const b of brokers) plan.push(`${c.name} ${b.name}`);
  let retryBudget = Math.ceil(cases.length * brokers.length * reps * RETRY_SHARE);
  for (let rep = 1; rep <= reps; rep++) {
    for (const c of cases) {
      for (const b of brokers) {
        const k = runs.length + 1;
        progress.step("e2e run", k, plan.length, `${c.name} on ${b.name} (rep ${rep} of ${reps})`, plan[k - 1]!, plan.slice(k));
        // A run during which other processes took a noticeable share of the CPUs is repeated;
        // the last attempt counts and keeps its `noisy` mark.
        const started = Date.now();
        let rec = await oneRun(b, c, rep, portBase);
        for (let a = 0; a < RETRIES && retryBudget > 0 && Number(rec.result.other_user_pct ?? 0) > MAX_OTHER; a++) {
          retryBudget--;
          log(`  ${b.name.padEnd(10)} ${c.name.padEnd(16)} rep ${rep}  noisy (other ${rec.result.other_user_pct}%), again`);
          rec = await oneRun(b, c, rep, portBase);
        }
        rec.result.noisy = Number(rec.result.other_user_pct ?? 0) > MAX_OTHER;
        rec.seconds = (Date.now() - started) / 1000; // retries included
        runs.push(rec);
        log(`  ${b.name.padEnd(10)} ${c.name.padEnd(16)} rep ${rep}  ${brief(rec.result)}`);
      }
    }
  }
  progress.finish();
  const names = brokers.map((b) => b.name);
  const rows = summarise(cases, names, runs);
  return {
    brokers: names, cases: cases.map((c) => c.name), runs, rows,
    table: markdownTable(rows, names), seconds: (Date.now() - t0) / 1000,
  };
}

if (import.meta.main) {
  const { writeResults } = await import("./report.ts");
  const opts = benchArgsOrExit(process.argv.slice(2));
  const res = await runE2E(opts);
  console.log(`\n${res.table}\n`);
  console.log(`e2e results: ${writeResults({ kind: "e2e", ...res, cases: res.cases })} (${res.seconds.toFixed(0)} s)`);
}
