/**
 * Medians over repetitions, the markdown table, and the JSON result file of the e2e runner.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchCase } from "./cases.ts";
import { ROOT } from "./procs.ts";

/** One vload run against one broker. */
export interface RunRecord {
  broker: string;
  case: string;
  rep: number;
  result: Record<string, unknown>;
  /** Wall-clock seconds of the run: broker start, load, stop (for estimating a suite's duration). */
  seconds?: number;
}

/** Median figures of one case and metric for one broker. */
export interface BrokerFigure {
  value: number | null;
  min: number | null;
  max: number | null;
  okRuns: number;
  /** Runs disturbed by other processes (other_user_pct above the limit even after retries). */
  noisyRuns: number;
  lost: number | null;
  brokerCpu: number | null;
  loadgenCpu: number | null;
  /** The load generator's user-mode share: its own code (the rest is kernel TCP work). */
  loadgenUser: number | null;
  /** Which CPU was saturated: "broker", "loadgen", "both", or "neither" (latency/window-bound). */
  limit: string;
  errors: string[];
}

/** One row of the summary: a case's metric for every broker, and subject / reference. */
export interface SummaryRow {
  case: string;
  metric: string;
  unit: string;
  higherIsBetter: boolean;
  brokers: Record<string, BrokerFigure>;
  /** First broker's value over the second's (null when either is missing). */
  ratio: number | null;
}

/** CPU % of one core above which a side counts as the limit. */
const SATURATED = 85;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function num(r: Record<string, unknown>, k: string): number | null {
  const v = r[k];
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;
}

function figure(runs: RunRecord[], key: string): BrokerFigure {
  const ok = runs.filter((r) => r.result.ok === true && num(r.result, key) !== null);
  const vals = ok.map((r) => num(r.result, key)!);
  const pick = (k: string) => median(runs.map((r) => num(r.result, k)).filter((v): v is number => v !== null));
  const brokerCpu = pick("broker_cpu_pct");
  const loadgenCpu = pick("loadgen_cpu_pct");
  const b = brokerCpu !== null && brokerCpu >= SATURATED;
  const l = loadgenCpu !== null && loadgenCpu >= SATURATED;
  const limit = b && l ? "both" : b ? "broker" : l ? "loadgen" : "neither";
  const errors = [...new Set(runs.map((r) => String(r.result.error ?? "")).filter((e) => e))];
  // A failed run (e.g. retained messages dropped) still reports its figure; keep it visible.
  const all = runs.map((r) => num(r.result, key)).filter((v): v is number => v !== null);
  const use = vals.length ? vals : all;
  return {
    value: median(use), min: use.length ? Math.min(...use) : null,
    max: use.length ? Math.max(...use) : null, okRuns: ok.length,
    noisyRuns: runs.filter((r) => r.result.noisy === true).length, lost: pick("lost"),
    brokerCpu, loadgenCpu, loadgenUser: pick("loadgen_user_pct"), limit, errors,
  };
}

/** Summarises every run into one row per case and metric. */
export function summarise(cases: BenchCase[], brokers: string[], runs: RunRecord[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const c of cases) {
    for (const m of c.metrics) {
      const figs: Record<string, BrokerFigure> = {};
      for (const b of brokers) figs[b] = figure(runs.filter((r) => r.case === c.name && r.broker === b), m.key);
      // No ratio from a side whose every run failed (e.g. retained messages dropped): its
      // figure is not the thing measured.
      const usable = (f?: BrokerFigure) => (f && f.okRuns > 0 ? f.value : null);
      const a = usable(figs[brokers[0]!]);
      const z = brokers[1] ? usable(figs[brokers[1]]) : null;
      rows.push({
        case: c.name, metric: m.key, unit: m.label, higherIsBetter: m.higherIsBetter, brokers: figs,
        ratio: a !== null && z !== null && z > 0 ? a / z : null,
      });
    }
  }
  return rows;
}

function fmt(v: number | null): string {
  if (v === null) return "—";
  if (v >= 100_000) return `${(v / 1000).toFixed(0)}k`;
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}k`;
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(v >= 1 ? 2 : 3);
}

function cpu(f: BrokerFigure | undefined): string {
  if (!f) return "—";
  const user = f.loadgenUser === null ? "" : ` (${fmt(f.loadgenUser)})`;
  return `${fmt(f.brokerCpu)} / ${fmt(f.loadgenCpu)}${user}`;
}

/** The markdown table: value per broker (median; min–max), ratio, CPU, limit, losses. */
export function markdownTable(rows: SummaryRow[], brokers: string[]): string {
  const [a, z] = brokers;
  const head = ["case", "metric", ...brokers.map((b) => `${b} (min–max)`)];
  if (z) head.push(`${a}/${z}`);
  head.push(...brokers.map((b) => `${b} CPU% broker / loadgen (user)`), "limited by", "lost");
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const cells = [r.case, `${r.unit} ${r.higherIsBetter ? "↑" : "↓"}`];
    for (const b of brokers) {
      const f = r.brokers[b];
      const bad = (f && f.okRuns === 0 && f.value !== null ? " ⚠" : "") + (f && f.noisyRuns ? " ~" : "");
      cells.push(f && f.value !== null ? `${fmt(f.value)} (${fmt(f.min)}–${fmt(f.max)})${bad}` : "failed");
    }
    if (z) cells.push(r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`);
    for (const b of brokers) cells.push(cpu(r.brokers[b]));
    cells.push(brokers.map((b) => `${b[0]}: ${r.brokers[b]?.limit ?? "—"}`).join(", "));
    cells.push(brokers.map((b) => {
      const lost = r.brokers[b]?.lost ?? null;
      return lost === null ? "—" : String(Math.round(lost));
    }).join(" / "));
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const notes = rows.flatMap((r) => brokers.flatMap((b) =>
    (r.brokers[b]?.errors ?? []).map((e) => `- ${r.case} ${b}: ${e}`)));
  if (rows.some((r) => brokers.some((b) => r.brokers[b]?.noisyRuns))) {
    lines.push("", "~ = some runs were disturbed by other processes on the machine (see other_user_pct in the JSON).");
  }
  if (notes.length) lines.push("", "Errors (⚠ = no run without error):", ...[...new Set(notes)]);
  return lines.join("\n");
}

/** Writes bench/results/<timestamp>.json; returns its path. */
export function writeResults(data: unknown, stamp = new Date().toISOString().replace(/[:.]/g, "-")): string {
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${stamp}.json`);
  writeFileSync(path, JSON.stringify(data, null, 2));
  return path;
}
