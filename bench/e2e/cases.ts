/**
 * The end-to-end cases: each is one vload invocation, run against every broker.
 *
 * Names follow the issue: `tp-{fanin,fanout,pair}-q{0,1}-{16,256}` (closed-loop max throughput),
 * `lat-…` (open loop at a fixed 10,000 deliveries/s), `wild-q{0,1}-{16,256}` (10,000 distinct
 * wildcard filters), `conn-10k`, `idle-10k`, `ret-q{0,1}-{16,256}` (100,000 retained messages
 * to a new `#` subscriber). Over TLS and WebSocket (`transport`): `tls-…` / `ws-{fanin,fanout}-q{0,1}-{16,256}`,
 * `tls-conn-2k` (2,000 TLS handshakes + CONNECT), `tls-idle-2k` (memory per idle TLS connection).
 * Durable (issue 16): `dur-fanin-q1-{16,256}` (persistent-session subscribers, closed loop) and
 * `dur-lat-fanin-q1-16` (publisher PUBLISH → PUBACK at a fixed 10,000 msgs/s), Vireo on SQLite
 * against Mosquitto with `persistence true`.
 * Under access control (password file + ACL of 1,000 users, ten rules each, patterns included; every
 * client logs in): `acl-{fanin,pair}-q{0,1}-16`, `acl-conn-10k` (10,000 authenticated connections).
 */
import { join } from "node:path";
import { ROOT } from "./procs.ts";
import { LOGIN_ARGS, USERS } from "./access_files.ts";

/** What a case's clients speak; the brokers open one listener of this kind on the case's port. */
export type Transport = "mqtt" | "mqtts" | "ws" | "wss";

/** The test CA the TLS cases verify the brokers against (scripts/make_test_certs.sh makes it). */
export const BENCH_CERTS = join(ROOT, "build", "test-certs");

/** A figure read from vload's JSON and shown in the table. */
export interface Metric {
  /** Key in vload's JSON output. */
  key: string;
  /** Column label, with unit. */
  label: string;
  /** Whether a larger value is better (throughput) or worse (latency, time, memory). */
  higherIsBetter: boolean;
}

/** One benchmark case. */
export interface BenchCase {
  name: string;
  /** vload arguments (without --port / --pid / --label). */
  args: string[];
  metrics: Metric[];
  /** In the `--quick` subset. */
  quick: boolean;
  /** Upper bound on the vload run, seconds (passed as --max-time; the runner adds slack). */
  maxTime: number;
  /** Listener kind (default plain MQTT). */
  transport?: Transport;
  /** Brokers with persistence on (Vireo --data, Mosquitto persistence true); default as configured. */
  durable?: boolean;
  /** Brokers load the bench's password file and ACL; vload logs in (access_files.ts). */
  access?: boolean;
}

/** Durations of the flow cases, seconds. */
export interface Timing {
  duration: number;
  warmup: number;
}

const RATE = 10_000; // deliveries per second in the latency cases
const FANOUT_SUBS = 100;
const THROUGHPUT: Metric = { key: "deliv_rate", label: "msgs/s", higherIsBetter: true };
const P50: Metric = { key: "lat_p50_us", label: "p50 µs", higherIsBetter: false };
const P99: Metric = { key: "lat_p99_us", label: "p99 µs", higherIsBetter: false };
const ACK_P50: Metric = { key: "ack_p50_us", label: "ack p50 µs", higherIsBetter: false };
const ACK_P99: Metric = { key: "ack_p99_us", label: "ack p99 µs", higherIsBetter: false };

function timed(t: Timing): string[] {
  return ["--duration", String(t.duration), "--warmup", String(t.warmup), "--drain", "2"];
}

function flowMax(t: Timing): number {
  return Math.ceil(t.duration + t.warmup + 2 + 20);
}

/** Every case, in run order. */
export function allCases(t: Timing): BenchCase[] {
  const out: BenchCase[] = [];
  const scenarios = ["fanin", "fanout", "pair"] as const;
  for (const sc of scenarios) {
    for (const q of [0, 1]) {
      for (const pl of [16, 256]) {
        out.push({
          name: `tp-${sc}-q${q}-${pl}`,
          args: ["--scenario", sc, "--qos", String(q), "--payload", String(pl), ...timed(t)],
          metrics: [THROUGHPUT],
          quick: pl === 16,
          maxTime: flowMax(t),
        });
      }
    }
  }
  for (const sc of scenarios) {
    for (const q of [0, 1]) {
      // Offered rate counts deliveries: fan-out publishes RATE / subscribers.
      const rate = sc === "fanout" ? RATE / FANOUT_SUBS : RATE;
      out.push({
        name: `lat-${sc}-q${q}-16`,
        args: ["--scenario", sc, "--qos", String(q), "--payload", "16", "--rate", String(rate),
          ...timed(t)],
        metrics: [P50, P99],
        quick: (sc === "fanin" && q === 0) || (sc === "pair" && q === 1),
        maxTime: flowMax(t),
      });
    }
  }
  for (const q of [0, 1]) {
    for (const pl of [16, 256]) {
      out.push({
        name: `wild-q${q}-${pl}`,
        args: ["--scenario", "wildcard", "--filters", "10000", "--subs", "100", "--pubs", "10",
          "--qos", String(q), "--payload", String(pl), ...timed(t)],
        metrics: [THROUGHPUT],
        quick: q === 0 && pl === 16,
        maxTime: flowMax(t) + 20,
      });
    }
  }
  out.push({
    name: "conn-10k",
    args: ["--scenario", "conn", "--conns", "10000", "--conn-window", "100"],
    metrics: [{ key: "conn_time_s", label: "s", higherIsBetter: false }],
    quick: true,
    maxTime: 40,
  });
  out.push({
    name: "idle-10k",
    args: ["--scenario", "idle", "--conns", "10000", "--hold", "2"],
    metrics: [{ key: "kib_per_conn", label: "KiB/conn", higherIsBetter: false }],
    quick: true,
    maxTime: 40,
  });
  for (const q of [0, 1]) {
    for (const pl of [16, 256]) {
      out.push({
        name: `ret-q${q}-${pl}`,
        args: ["--scenario", "retained", "--retained", "100000", "--qos", String(q),
          "--payload", String(pl), "--window", "64"],
        metrics: [{ key: "ret_all_s", label: "s", higherIsBetter: false }],
        quick: pl === 16,
        maxTime: 60,
      });
    }
  }
  out.push(...transportCases(t), ...durableCases(t), ...accessCases(t));
  return out;
}

/** QoS 1 fan-in to subscribers with persistent sessions, the brokers persisting (issue 16). */
function durableCases(t: Timing): BenchCase[] {
  const args = ["--scenario", "fanin", "--qos", "1", "--persistent", ...timed(t)];
  const out: BenchCase[] = [16, 256].map((pl) => ({
    name: `dur-fanin-q1-${pl}`, durable: true, args: [...args, "--payload", String(pl)],
    metrics: [THROUGHPUT], quick: pl === 16, maxTime: flowMax(t),
  }));
  out.push({
    name: "dur-lat-fanin-q1-16", durable: true, args: [...args, "--payload", "16", "--rate", String(RATE)],
    metrics: [ACK_P50, ACK_P99], quick: true, maxTime: flowMax(t),
  });
  return out;
}

/** vload flags for a transport. */
function transportArgs(tr: Transport): string[] {
  const ca = ["--tls-ca", join(BENCH_CERTS, "ca.crt")];
  return tr === "mqtts" ? ca : tr === "ws" ? ["--ws"] : tr === "wss" ? ["--ws", ...ca] : [];
}

/** Fan-in / fan-out over TLS and WebSocket, the TLS handshake storm, idle TLS memory. */
function transportCases(t: Timing): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [prefix, transport] of [["tls", "mqtts"], ["ws", "ws"]] as const) {
    for (const sc of ["fanin", "fanout"] as const) {
      for (const q of [0, 1]) {
        for (const pl of [16, 256]) {
          out.push({
            name: `${prefix}-${sc}-q${q}-${pl}`, transport,
            args: ["--scenario", sc, "--qos", String(q), "--payload", String(pl), ...timed(t), ...transportArgs(transport)],
            metrics: [THROUGHPUT],
            quick: q === 0 && pl === 16,
            maxTime: flowMax(t),
          });
        }
      }
    }
  }
  out.push({
    name: "tls-conn-2k", transport: "mqtts",
    args: ["--scenario", "conn", "--conns", "2000", "--conn-window", "100", ...transportArgs("mqtts")],
    metrics: [{ key: "conn_time_s", label: "s", higherIsBetter: false }],
    quick: true,
    maxTime: 60,
  });
  out.push({
    name: "tls-idle-2k", transport: "mqtts",
    args: ["--scenario", "idle", "--conns", "2000", "--hold", "2", ...transportArgs("mqtts")],
    metrics: [{ key: "kib_per_conn", label: "KiB/conn", higherIsBetter: false }],
    quick: false,
    maxTime: 60,
  });
  return out;
}

/** Fan-in and pairs with every client logged in under the ACL, and the authenticated connection storm. */
function accessCases(t: Timing): BenchCase[] {
  const out: BenchCase[] = [];
  for (const sc of ["fanin", "pair"] as const) {
    for (const q of [0, 1]) {
      out.push({
        name: `acl-${sc}-q${q}-16`, access: true,
        args: ["--scenario", sc, "--qos", String(q), "--payload", "16", ...timed(t), ...LOGIN_ARGS],
        metrics: [THROUGHPUT],
        quick: sc === "pair" && q === 1,
        maxTime: flowMax(t),
      });
    }
  }
  out.push({
    name: "acl-conn-10k", access: true,
    args: ["--scenario", "conn", "--conns", String(10 * USERS), "--conn-window", "100", ...LOGIN_ARGS],
    metrics: [{ key: "conn_time_s", label: "s", higherIsBetter: false }],
    quick: true,
    maxTime: 60,
  });
  return out;
}

/** The cases selected by `--quick` and `--cases REGEX`. */
export function selectCases(t: Timing, quick: boolean, filter?: RegExp): BenchCase[] {
  return allCases(t).filter((c) => (!quick || c.quick) && (!filter || filter.test(c.name)));
}
