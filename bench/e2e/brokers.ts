/**
 * The brokers the end-to-end runner compares: Vireo from this checkout, and Mosquitto (the
 * reference) when `mosquitto` is on PATH, with a generated minimal configuration.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onPath, ROOT } from "./procs.ts";
import { BENCH_CERTS, type Transport } from "./cases.ts";
import { type AccessFiles, writeAccessFiles } from "./access_files.ts";

/**
 * How to start one broker on a given port (127.0.0.1 only), with a listener of `transport`;
 * `access`: with the bench's password file and ACL (access_files.ts), anonymous clients refused.
 */
export interface BrokerSpec {
  name: string;
  /** `durable`: persistence on, in a fresh directory (the durable cases); `access`: see above. */
  argv(port: number, transport?: Transport, durable?: boolean, access?: boolean): string[];
}

function benchDir(): string {
  const dir = join(tmpdir(), `vireo-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

let files: AccessFiles | null = null;

/** The access cases' password file and ACL, written once per bench process. */
export function accessFiles(): AccessFiles {
  return (files ??= writeAccessFiles(benchDir()));
}

/**
 * The server certificate and key for the TLS cases, copied world-readable into the bench's temp
 * directory: Mosquitto started as root drops to its own user before reading them.
 */
/** An empty directory under the bench directory (`mode` for a broker that drops privileges). */
function freshDir(name: string, mode = 0o755): string {
  const dir = join(benchDir(), name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode });
  chmodSync(dir, mode);
  return dir;
}

function serverCert(): { cert: string; key: string } {
  const dir = benchDir();
  const out = { cert: join(dir, "server.crt"), key: join(dir, "server.key") };
  copyFileSync(join(BENCH_CERTS, "server.crt"), out.cert);
  copyFileSync(join(BENCH_CERTS, "server.key"), out.key);
  chmodSync(out.cert, 0o644);
  chmodSync(out.key, 0o644);
  return out;
}

/**
 * Vireo: `bun run src/main.ts -p PORT --host 127.0.0.1` with the repository's bun, with its
 * defaults; BENCH_VIREO_CONFIG=FILE adds `-c FILE` (e.g. to lift queue limits for an experiment).
 * In memory (`--memory`) unless BENCH_VIREO_DATA=DIR asks for persistence there.
 */
export const vireo: BrokerSpec = {
  name: "vireo",
  argv: (port, transport = "mqtt", durable = false, access = false) => {
    const bun = [join(ROOT, "node_modules", ".bin", "bun"), "run", "src/main.ts"];
    let extra = process.env.BENCH_VIREO_CONFIG;
    // In memory unless BENCH_VIREO_DATA=DIR asks for persistence there (same data directory for every transport).
    const storage = durable ? ["--data", freshDir(`vireo-data-${port}`)]
      : process.env.BENCH_VIREO_DATA ? ["--data", process.env.BENCH_VIREO_DATA] : ["--memory"];
    if (access) { // the password file and ACL over BENCH_VIREO_CONFIG's settings
      const conf = join(benchDir(), `vireo-access-${port}.json`);
      const { passwordFile, aclFile } = accessFiles();
      writeFileSync(conf, JSON.stringify({ ...(extra ? JSON.parse(readFileSync(extra, "utf8")) : {}), passwordFile, aclFile, allowAnonymous: false }));
      extra = conf;
    }
    if (transport === "mqtt") return [...bun, ...(extra ? ["-c", extra] : []), "-p", String(port), "--host", "127.0.0.1", ...storage];
    // Other transports: a JSON config with the one listener (over BENCH_VIREO_CONFIG's settings).
    const { cert, key } = serverCert();
    const listener = { host: "127.0.0.1", port, protocol: transport, ...(transport === "mqtts" || transport === "wss" ? { tls: { certfile: cert, keyfile: key } } : {}) };
    const conf = join(benchDir(), `vireo-${port}.json`);
    writeFileSync(conf, JSON.stringify({ ...(extra ? JSON.parse(readFileSync(extra, "utf8")) : {}), listeners: [listener] }));
    return [...bun, "-c", conf, ...storage];
  },
};

/**
 * Mosquitto with a generated config: one local listener (of the case's transport), anonymous (or
 * the access cases' password file and ACL), no persistence, no log.
 * BENCH_MOSQUITTO_EXTRA adds lines (separated by ";"), e.g. "max_queued_messages 0".
 */
export const mosquitto: BrokerSpec = {
  name: "mosquitto",
  argv: (port, transport = "mqtt", durable = false, access = false) => {
    const conf = join(benchDir(), `mosquitto-${port}.conf`);
    const acl = access ? accessFiles() : null;
    const tls = transport === "mqtts" || transport === "wss" ? serverCert() : undefined;
    const sock = `/tmp/vireo-bench-mosquitto-${port}.sock`;
    rmSync(sock, { force: true }); // a previous run's: Mosquitto would not bind over it
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, `allow_anonymous ${acl === null}`,
      ...(acl !== null ? [`password_file ${acl.passwordFile}`, `acl_file ${acl.aclFile}`] : []),
      ...(transport === "ws" || transport === "wss" ? ["protocol websockets"] : []),
      ...(tls ? [`certfile ${tls.cert}`, `keyfile ${tls.key}`] : []),
      // Mosquitto 2.0.11 will not start with WebSocket listeners alone ("Unable to start any
      // listening sockets"): a unix socket listener nobody uses keeps it happy. In /tmp, because
      // Mosquitto has dropped to its own user by the time it binds.
      ...(transport === "ws" || transport === "wss" ? [`listener 0 ${sock}`] : []),
      // Durable: it saves a snapshot every autosave_interval (1,800 s), nothing per message.
      // max_queued_messages 0: its default 1,000 drops QoS 1 messages to persistent sessions past
      // that backlog (Vireo drops none), which would flatter its rate.
      ...(durable ? ["persistence true", `persistence_location ${freshDir(`mosquitto-data-${port}`, 0o777)}/`, "max_queued_messages 0"]
        : ["persistence false"]),
      "log_dest none",
      ...(process.env.BENCH_MOSQUITTO_EXTRA ?? "").split(";").map((l) => l.trim()).filter(Boolean),
      ""].join("\n"));
    return ["mosquitto", "-c", conf];
  },
};

/** Vireo, plus Mosquitto if installed (and not excluded). */
export function availableBrokers(withReference = true): BrokerSpec[] {
  return withReference && onPath("mosquitto") ? [vireo, mosquitto] : [vireo];
}
