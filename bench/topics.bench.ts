/**
 * Topic index benchmarks: match/s of the WASM subscription trie against qlobber (the matcher Aedes
 * uses), both built from the same filters and measured in the same run, at 10k / 100k / 1M filters;
 * retained lookups for `#` and `a/+/c` over 100k / 1M retained topics; memory at each size.
 *
 * Standalone: `bun run bench/topics.bench.ts`. From bench/index.ts: `runTopicBenchmarks(opts)`.
 */
import { Bench } from "tinybench";
import qlobber from "qlobber";
import { createTopicIndex, type TopicIndex } from "../src/wasm/topic_index.ts";

/** One result row. `ratio`: WASM ops/s over qlobber's (match, subscribe) or over a full scan (retained). */
export interface TopicBenchRow {
  name: string;
  opsPerSec: number;
  ratio?: number;
}

/** Options: filter counts, retained-topic counts, time per task (ms), and whether to print. */
export interface TopicBenchOptions {
  sizes?: number[];
  retainedSizes?: number[];
  time?: number;
  print?: boolean;
}

/** The part of qlobber's API used here (it ships no types). */
interface Matcher {
  add(topic: string, value: number): unknown;
  match(topic: string): number[];
}
const { Qlobber } = qlobber as unknown as { Qlobber: new (opts: object) => Matcher };

const BATCH = 256; // operations per tinybench iteration, so timer overhead does not dominate
const encoder = new TextEncoder();

/** Filter i: mostly exact device topics, some `+` and `#` wildcards (a realistic mix). */
function filterOf(i: number): string {
  const room = i % 1000;
  switch (i % 10) {
    case 0: return `dev/${room}/+/status`;
    case 1: return `dev/${room}/${i}/#`;
    default: return `dev/${room}/${i}/status`;
  }
}

/** Topics published in the benchmark: one per (room, device) pattern, some matching nothing. */
function topicsFor(n: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < BATCH; k++) {
    const i = Math.floor((k * 7919 * 104729) % n);
    out.push(k % 8 === 7 ? `dev/${i % 1000}/none/status` : `dev/${i % 1000}/${i}/status`);
  }
  return out;
}

/** JS heap in use after a full collection (Bun); 0 where that is not available. */
function jsHeap(): number {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (!bun) return 0;
  bun.gc(true);
  return process.memoryUsage().heapUsed;
}

function mb(bytes: number): string { return `${(bytes / 1048576).toFixed(1)} MiB`; }

function opsOf(bench: Bench, name: string): number {
  const task = bench.getTask(name);
  const r = task?.result as { throughput?: { mean: number } } | undefined;
  return (r?.throughput?.mean ?? 0) * BATCH;
}

async function matchRows(n: number, time: number, log: (s: string) => void): Promise<TopicBenchRow[]> {
  const index = createTopicIndex();
  const q = new Qlobber({ separator: "/", wildcard_one: "+", wildcard_some: "#", match_empty_levels: true });
  let t0 = performance.now();
  for (let i = 0; i < n; i++) index.subscribe(filterOf(i), i, 1);
  const wasmBuild = performance.now() - t0;
  const heapBefore = jsHeap();
  t0 = performance.now();
  for (let i = 0; i < n; i++) q.add(filterOf(i), i);
  const qBuild = performance.now() - t0;
  const qHeap = jsHeap() - heapBefore;
  const mem = index.memoryStats();
  log(`${n} filters: subscribe ${wasmBuild.toFixed(0)} ms (qlobber add ${qBuild.toFixed(0)} ms); ` +
    `WASM trie ${mb(mem.liveBytes)} live (${(mem.liveBytes / n).toFixed(0)} B/filter), memory ${mb(mem.memoryBytes)}` +
    (qHeap > 0 ? `; qlobber JS heap +${mb(qHeap)}` : ""));
  const topics = topicsFor(n);
  const bytes = topics.map((t) => encoder.encode(t));
  let sink = 0;
  const bench = new Bench({ time, warmupTime: Math.min(100, time) });
  bench.add(`match wasm ${n}`, () => {
    for (let k = 0; k < BATCH; k++) sink += index.match(bytes[k]).count;
  });
  bench.add(`match qlobber ${n}`, () => {
    for (let k = 0; k < BATCH; k++) sink += q.match(topics[k]).length;
  });
  await bench.run();
  if (sink < 0) log("");
  const wasm = opsOf(bench, `match wasm ${n}`), ql = opsOf(bench, `match qlobber ${n}`);
  return [
    { name: `topics: match @${n} filters (wasm)`, opsPerSec: wasm, ratio: wasm / ql },
    { name: `topics: match @${n} filters (qlobber)`, opsPerSec: ql },
    { name: `topics: subscribe to ${n} filters (wasm)`, opsPerSec: n / wasmBuild * 1000, ratio: qBuild / wasmBuild },
  ];
}

/** Retained topic i: 100 first levels ("a" is one), a unique middle level, "c" or "d" last. */
function retainedTopicOf(i: number): string {
  const first = i % 100 === 0 ? "a" : `l${i % 100}`;
  return `${first}/${i}/${i % 2 === 0 ? "c" : "d"}`;
}

async function retainedRows(n: number, time: number, log: (s: string) => void): Promise<TopicBenchRow[]> {
  const index: TopicIndex = createTopicIndex();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) index.retainedSet(retainedTopicOf(i), i);
  const mem = index.memoryStats();
  log(`${n} retained: set ${(performance.now() - t0).toFixed(0)} ms; ${mb(mem.liveBytes)} live ` +
    `(${(mem.liveBytes / n).toFixed(0)} B/topic), memory ${mb(mem.memoryBytes)}; ` +
    `"#" -> ${index.retainedMatch("#").count} ids, "a/+/c" -> ${index.retainedMatch("a/+/c").count} ids`);
  // The baseline a broker without a retained trie has: test every stored topic (what Aedes does).
  const stored = Array.from({ length: n }, (_, i) => retainedTopicOf(i));
  const bench = new Bench({ time, warmupTime: Math.min(50, time), iterations: 3 });
  let sink = 0;
  bench.add("#", () => { sink += index.retainedMatch("#").count; });
  bench.add("a/+/c", () => { sink += index.retainedMatch("a/+/c").count; });
  bench.add("scan", () => { for (const t of stored) if (scanMatches("a/+/c", t)) sink++; });
  await bench.run();
  if (sink < 0) log("");
  const perCall = (name: string) => opsOf(bench, name) / BATCH;
  return [
    { name: `topics: retained "#" @${n} topics`, opsPerSec: perCall("#") },
    { name: `topics: retained "a/+/c" @${n} topics`, opsPerSec: perCall("a/+/c"), ratio: perCall("a/+/c") / perCall("scan") },
    { name: `topics: retained "a/+/c" @${n} topics (scan)`, opsPerSec: perCall("scan") },
  ];
}

/** A plain filter test on strings, used by the scan baseline. */
function scanMatches(filter: string, topic: string): boolean {
  const f = filter.split("/"), t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length || (f[i] !== "+" && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Runs the topic benchmarks; returns one row per measurement (and prints them unless told not to). */
export async function runTopicBenchmarks(opts: TopicBenchOptions = {}): Promise<TopicBenchRow[]> {
  const print = opts.print ?? true;
  const log = (s: string) => { if (print) console.log(s); };
  const time = opts.time ?? 500;
  const rows: TopicBenchRow[] = [];
  for (const n of opts.sizes ?? [10_000, 100_000, 1_000_000]) rows.push(...await matchRows(n, time, log));
  for (const n of opts.retainedSizes ?? [100_000, 1_000_000]) rows.push(...await retainedRows(n, time, log));
  if (print) {
    console.table(rows.map((r) => ({
      name: r.name, "ops/s": Math.round(r.opsPerSec).toLocaleString("en-US"),
      ratio: r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x ${r.name.includes("retained") ? "scan" : "qlobber"}`,
    })));
  }
  return rows;
}

if ((import.meta as { main?: boolean }).main) await runTopicBenchmarks();
