// `bun bench` options: --help lists every option with its default and exits 0 without running
// anything; an unknown flag or bad value is refused with exit 2 before any benchmark starts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BENCH_DEFAULTS, BenchUsageError, parseBenchArgs } from "../../bench/args.ts";
import { runEntry } from "../helpers/cli.ts";

test("bench --help lists every option with its default, the run times and exit codes; exit 0", async () => {
  const r = await runEntry("bench/index.ts", ["--help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const flag of ["--quick", "--cases REGEX", "--reps N", "--duration S", "--warmup S", "--port N",
    "--no-reference", "--e2e-only", "--micro-only", "-h, --help"]) {
    assert.match(r.stdout, new RegExp(`^  ${flag.replace(/[-]/g, "\\-")} `, "m"), flag);
  }
  assert.match(r.stdout, /--reps N .*\(default 3; --quick 1\)/);
  assert.match(r.stdout, /--duration S .*\(default 2; --quick 1\)/);
  assert.match(r.stdout, /--port N .*\(default 28830;/);
  assert.match(r.stdout, /A full run takes about \d+ min, --quick about [\d.]+ min/);
  assert.match(r.stdout, /Exit codes: 0 ok, 1 a benchmark failed, 2 bad option/);
  assert.doesNotMatch(r.stdout, /^vireo bench/m); // nothing ran
});

test("bench with an unknown flag says so on stderr and exits 2 without running anything", async () => {
  const r = await runEntry("bench/index.ts", ["--quik"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^bench: Unknown option '--quik' \(see --help\)$/m);
  assert.equal(r.stdout, "");
});

test("parseBenchArgs: values, environment fallback, and refusals", () => {
  const none = {};
  assert.deepEqual(parseBenchArgs([], none), {
    help: false, quick: false, cases: undefined, reps: undefined, duration: undefined, warmup: undefined,
    port: undefined, noReference: false, e2eOnly: false, microOnly: false,
  });
  const a = parseBenchArgs(["--quick", "--cases", "^tp-", "--reps=5", "--duration", "0.5", "--port", "30000", "--no-reference"], none);
  assert.deepEqual([a.quick, a.cases?.source, a.reps, a.duration, a.port, a.noReference], [true, "^tp-", 5, 0.5, 30000, true]);
  const e = parseBenchArgs([], { BENCH_QUICK: "1", BENCH_CASES: "ret", BENCH_REPS: "2", BENCH_DURATION: "3" });
  assert.deepEqual([e.quick, e.cases?.source, e.reps, e.duration], [true, "ret", 2, 3]);
  assert.equal(parseBenchArgs(["--reps", "4"], { BENCH_REPS: "2" }).reps, 4); // the flag wins
  for (const [argv, msg] of [
    [["--nope"], /Unknown option '--nope'/], [["--reps"], /argument missing/], [["--reps", "0"], /--reps must be an integer from 1/],
    [["--reps", "2.5"], /integer/], [["--duration", "x"], /--duration must be a number/], [["--cases", "("], /--cases: /],
    [["stray"], /Unexpected argument 'stray'/], [["--quick=1"], /does not take an argument/],
    [["--e2e-only", "--micro-only"], /exclude each other/],
  ] as const) {
    assert.throws(() => parseBenchArgs([...argv], none), (err: Error) => err instanceof BenchUsageError && msg.test(err.message), argv.join(" "));
  }
  assert.equal(BENCH_DEFAULTS.reps.full, 3);
});
