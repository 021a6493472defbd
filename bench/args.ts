/**
 * `bun bench` options: parsed with node:util parseArgs (strict, so a mistyped flag is an error and
 * not a silent full run), with the environment as a fallback, and the --help text that lists them.
 */
import { parseArgs } from "node:util";
import { allCases } from "./e2e/cases.ts";

/** Exit code for a bad flag or value (as the broker's CLI). */
export const EXIT_USAGE = 2;

/**
 * Wall-clock time of whole runs on the 2-core reference VM, as README "Benchmark" states (how they
 * were measured is told there): keep the two in step.
 */
export const RUN_TIME = { full: "about 15 min", quick: "about 2.5 min" } as const;

/** Defaults, full run and --quick. */
export const BENCH_DEFAULTS = {
  reps: { full: 3, quick: 1 },
  /** Measured seconds per flow case. */
  duration: { full: 2, quick: 1 },
  /** Unmeasured seconds before each flow case's measurement. */
  warmup: { full: 0.5, quick: 0.3 },
  /** First port tried for the brokers (the next free one at or above it is used). */
  port: 28830,
} as const;

/** What the command line (and environment) asked for. */
export interface BenchArgs {
  help: boolean;
  quick: boolean;
  /** Only e2e cases whose name matches. */
  cases?: RegExp;
  reps?: number;
  duration?: number;
  warmup?: number;
  port?: number;
  noReference: boolean;
  e2eOnly: boolean;
  microOnly: boolean;
}

/** A bad flag or value: print the message and exit EXIT_USAGE. */
export class BenchUsageError extends Error {}

const ALL_CASES = allCases({ duration: 1, warmup: 0 });

/** Words joined by spaces into lines of at most `width` columns, indented by two. */
function wrap(words: string[], width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line !== "" && line.length + 1 + w.length > width - 2) {
      lines.push(`  ${line}`);
      line = "";
    }
    line += line === "" ? w : ` ${w}`;
  }
  if (line !== "") lines.push(`  ${line}`);
  return lines.join("\n");
}
const d = BENCH_DEFAULTS;

/** The --help text. */
export const BENCH_HELP = `Usage: bun bench [options]     (= npm run bench = bun run bench/index.ts)

Micro-benchmarks (WASM codec vs mqtt-packet, topic index vs qlobber), then the end-to-end suite
(bench/loadgen against Vireo and, when mosquitto is on PATH, Mosquitto). Tables on stdout,
progress on stderr, everything in bench/results/<timestamp>.json.
A full run takes ${RUN_TIME.full}, --quick ${RUN_TIME.quick} (2-core machine).

Options (an environment variable in brackets does the same):
  --quick          ${d.reps.quick} repetition, shorter flow cases, ${ALL_CASES.filter((c) => c.quick).length} of the ${ALL_CASES.length} e2e cases, smaller
                   topic-index sizes [BENCH_QUICK=1]
  --cases REGEX    only the e2e cases whose name matches, e.g. '^tp-' or 'ret-q1'
                   (default: all; the micro-benchmarks still run) [BENCH_CASES]
  --reps N         repetitions of each e2e case, medians shown (default ${d.reps.full}; --quick ${d.reps.quick}) [BENCH_REPS]
  --duration S     measured seconds per flow case (default ${d.duration.full}; --quick ${d.duration.quick}) [BENCH_DURATION]
  --warmup S       unmeasured seconds before each flow case (default ${d.warmup.full}; --quick ${d.warmup.quick})
  --port N         first port tried for the brokers (default ${d.port}; the next free one is used)
  --no-reference   measure Vireo alone even if mosquitto is installed (no ratios)
  --e2e-only       skip the micro-benchmarks
  --micro-only     skip the end-to-end suite
  -h, --help       show this help and exit

E2E cases (* = in --quick):
${wrap(ALL_CASES.map((c) => `${c.name}${c.quick ? "*" : ""}`), 96)}
Environment only: BENCH_MAX_OTHER, BENCH_RETRIES, BENCH_RETRY_SHARE (repeat runs disturbed by
other processes), BENCH_NICE, BENCH_VIREO_CONFIG, BENCH_MOSQUITTO_EXTRA (see bench/e2e/).
The e2e suite needs Linux (taskset, /proc) and a C compiler (cc).
Exit codes: 0 ok, 1 a benchmark failed, 2 bad option.
`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  quick: { type: "boolean" },
  cases: { type: "string" },
  reps: { type: "string" },
  duration: { type: "string" },
  warmup: { type: "string" },
  port: { type: "string" },
  "no-reference": { type: "boolean" },
  "e2e-only": { type: "boolean" },
  "micro-only": { type: "boolean" },
} as const;

/** A number in [min, max] (integer if asked), or undefined when the flag and env are both unset. */
function numberArg(name: string, raw: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new BenchUsageError(`--${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * Parses bench flags (argv without runtime and script); environment variables fill in what the
 * flags leave unset.
 * @throws BenchUsageError for an unknown flag, a missing or invalid value, or a stray argument.
 */
export function parseBenchArgs(argv: string[], env: Record<string, string | undefined> = process.env): BenchArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new BenchUsageError(`${(e as Error).message} (see --help)`);
  }
  const str = (k: string) => values[k] as string | undefined;
  const cases = str("cases") ?? env.BENCH_CASES;
  let casesRe: RegExp | undefined;
  try {
    casesRe = cases ? new RegExp(cases) : undefined;
  } catch (e) {
    throw new BenchUsageError(`--cases: ${(e as Error).message}`);
  }
  const out: BenchArgs = {
    help: values.help === true,
    quick: values.quick === true || env.BENCH_QUICK === "1",
    cases: casesRe,
    reps: numberArg("reps", str("reps") ?? env.BENCH_REPS, 1, 100, true),
    duration: numberArg("duration", str("duration") ?? env.BENCH_DURATION, 0.1, 3600, false),
    warmup: numberArg("warmup", str("warmup"), 0, 3600, false),
    port: numberArg("port", str("port"), 1, 65000, true),
    noReference: values["no-reference"] === true,
    e2eOnly: values["e2e-only"] === true,
    microOnly: values["micro-only"] === true,
  };
  if (out.e2eOnly && out.microOnly) throw new BenchUsageError("--e2e-only and --micro-only exclude each other");
  return out;
}

/**
 * The options, or exits: prints the help (exit 0) or the usage error (exit EXIT_USAGE).
 * For the bench entry points (bench/index.ts, bench/e2e/run.ts).
 */
export function benchArgsOrExit(argv: string[]): BenchArgs {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (e) {
    if (!(e instanceof BenchUsageError)) throw e;
    console.error(`bench: ${e.message}`);
    process.exit(EXIT_USAGE);
  }
  if (args.help) {
    console.log(BENCH_HELP);
    process.exit(0);
  }
  return args;
}
