#!/usr/bin/env node
// `npm test`: a type check (deno check: neither runner checks types), then the whole suite under
// Bun and then under Deno (node:test + node:assert/strict run unchanged on both). Extra arguments
// are passed to both runners (e.g. a test file path) and narrow the type check to them.
// Exits non-zero if the type check or either runtime fails, and prints one summary line per
// runtime and a total (last line; CI reads it).
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const targets = args.length ? args : ["test/"];
/** How much of a runner's output is kept for its summary counts (they are in the last lines). */
const TAIL_BYTES = 256 * 1024;

const runs = [
  { name: "bun", cmd: bin("bun"), argv: ["test", "--timeout", "60000", ...targets] },
  { name: "deno", cmd: bin("deno"), argv: ["test", "-A", "--no-check", ...targets] },
];
// Bun and `deno test --no-check` strip types unchecked, so a type error would land unseen.
const checkTargets = args.length ? targets : ["src/", "test/", "bench/", "examples/"];
console.log(`=== deno check ${checkTargets.join(" ")}`);
const check = spawnSync(bin("deno"), ["check", "--quiet", ...checkTargets], {
  cwd: root, stdio: "inherit", env: { ...process.env, NO_COLOR: "1" },
});
console.log(`=== deno check: ${check.status === 0 ? "ok" : `failed (exit ${check.status})`}`);
let failedRuntimes = check.status === 0 ? 0 : 1;
const totals = { passed: 0, failed: 0 };
for (const run of runs) {
  console.log(`\n=== ${run.name} ${run.argv.join(" ")}`);
  const { status, tail } = await runStreaming(run.cmd, run.argv);
  const counts = parseCounts(run.name, tail);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  console.log(`=== ${run.name}: ${counts.passed} passed, ${counts.failed} failed (exit ${status})`);
  if (status !== 0 || counts.passed === 0) failedRuntimes++;
}
console.log(`\nall runtimes: ${totals.passed} passed, ${totals.failed} failed`);
process.exitCode = failedRuntimes ? 1 : 0;

/**
 * Runs a test runner with its output passed through as it comes (each runtime takes a minute or
 * more: the user sees every file and test finish), keeping the tail of stdout + stderr for the counts.
 */
function runStreaming(cmd, argv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let tail = "";
    const keep = (chunk) => {
      tail += chunk.toString();
      if (tail.length > TAIL_BYTES) tail = tail.slice(-TAIL_BYTES);
    };
    child.stdout.on("data", (chunk) => { process.stdout.write(chunk); keep(chunk); });
    child.stderr.on("data", (chunk) => { process.stderr.write(chunk); keep(chunk); });
    child.on("error", (err) => { keep(`${err.message}\n`); console.error(`cannot run ${cmd}: ${err.message}`); });
    child.on("close", (code, signal) => resolve({ status: code ?? signal, tail }));
  });
}

function parseCounts(name, out) {
  if (name === "bun") {
    const p = out.match(/^\s*(\d+) pass$/m), f = out.match(/^\s*(\d+) fail$/m);
    return { passed: p ? +p[1] : 0, failed: f ? +f[1] : 0 };
  }
  const m = out.match(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/);
  if (!m) return { passed: 0, failed: 0 };
  return { passed: +m[1] + +(m[2] ?? 0), failed: +m[3] + +(m[4] ?? 0) };
}
