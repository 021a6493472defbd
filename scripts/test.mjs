#!/usr/bin/env node
// `npm test`: a type check (deno check: neither runner checks types), then the whole suite under
// Bun and then under Deno (node:test + node:assert/strict run unchanged on both). Extra arguments
// are passed to both runners (e.g. a test file path) and narrow the type check to them.
// Exits non-zero if the type check or either runtime fails, and prints one summary line per
// runtime and a total (last line; CI reads it).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const targets = args.length ? args : ["test/"];

const runs = [
  { name: "bun", cmd: bin("bun"), argv: ["test", "--timeout", "60000", ...targets] },
  { name: "deno", cmd: bin("deno"), argv: ["test", "-A", "--no-check", ...targets] },
];
// Bun and `deno test --no-check` strip types unchecked, so a type error would land unseen.
const checkTargets = args.length ? targets : ["src/", "test/", "bench/"];
console.log(`=== deno check ${checkTargets.join(" ")}`);
const check = spawnSync(bin("deno"), ["check", "--quiet", ...checkTargets], {
  cwd: root, stdio: "inherit", env: { ...process.env, NO_COLOR: "1" },
});
console.log(`=== deno check: ${check.status === 0 ? "ok" : `failed (exit ${check.status})`}`);
let failedRuntimes = check.status === 0 ? 0 : 1;
const totals = { passed: 0, failed: 0 };
for (const run of runs) {
  console.log(`\n=== ${run.name} ${run.argv.join(" ")}`);
  const res = spawnSync(run.cmd, run.argv, { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const out = (res.stdout ?? "") + (res.stderr ?? "");
  process.stdout.write(out);
  const counts = parseCounts(run.name, out);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  console.log(`=== ${run.name}: ${counts.passed} passed, ${counts.failed} failed (exit ${res.status})`);
  if (res.status !== 0 || counts.passed === 0) failedRuntimes++;
}
console.log(`\nall runtimes: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(failedRuntimes ? 1 : 0);

function parseCounts(name, out) {
  if (name === "bun") {
    const p = out.match(/^\s*(\d+) pass$/m), f = out.match(/^\s*(\d+) fail$/m);
    return { passed: p ? +p[1] : 0, failed: f ? +f[1] : 0 };
  }
  const m = out.match(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/);
  if (!m) return { passed: 0, failed: 0 };
  return { passed: +m[1] + +(m[2] ?? 0), failed: +m[3] + +(m[4] ?? 0) };
}
