// mosquitto.conf keys Vireo does not implement: harmless ones give one warning naming FILE:LINE
// and the key; ones whose absence would weaken security or lose data refuse at FILE:LINE. Also
// include_dir (Mosquitto's file order, errors naming the included file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KEYS } from "../../src/config/mosquitto_keys.ts";
import { mosquittoOrder, readMosquittoConf } from "../../src/config/mosquitto_conf.ts";
import { ANON, confFixture } from "./conf_helpers.ts";

const { conf, dir, read, refuses } = confFixture();

const byKind = (kind: "warn" | "refuse") => Object.entries(KEYS).filter(([, e]) => "unsupported" in e && e.unsupported === kind).map(([k]) => k);

test("unsupported keys: each harmless one gives exactly one warning naming FILE:LINE and the key, and changes nothing", () => {
  const keys = byKind("warn");
  assert.ok(keys.includes("log_facility") && keys.includes("pid_file") && keys.includes("user") && keys.includes("connection_messages"));
  for (const k of keys) {
    const { config, warnings, path } = read(`# ${k}\n${k} some value\n`);
    assert.deepEqual(config, { host: "127.0.0.1" }, k);
    assert.equal(warnings.length, 1, k);
    assert.ok(warnings[0].startsWith(`${path}:2: warning: ${k} is not supported yet; ignored (`), warnings[0]);
  }
});

test("unsupported keys: each one whose absence would weaken security or lose data is refused at FILE:LINE", () => {
  const keys = byKind("refuse");
  for (const k of ["auth_plugin", "plugin", "psk_file", "crlfile", "connection", "ciphers"]) {
    assert.ok(keys.includes(k), k);
  }
  for (const k of [...keys, "auth_opt_db_host", "plugin_opt_backend"]) {
    refuses(`max_keepalive 10\n${k} x\n`, 2, new RegExp(`^\\S+:2: ${k.replace(".", "\\.")} is not supported yet and Vireo will not start without it: `));
  }
});

test("unsupported values: keys accepted only with the value Vireo already behaves as", () => {
  const cases: [string, RegExp][] = [
    ["retained_persistence false", /retained messages are stored whenever persistence is on/],
    ["queue_qos0_messages true", /QoS 0 messages for offline clients would be dropped/],
    ["upgrade_outgoing_qos true", /delivered at their published QoS/],
    [`${ANON}listener 1\nuse_username_as_clientid true`, /take over another's client id|taking over another's client id/],
    [`${ANON}listener 1\nuse_subject_as_username true`, /authentication/],
  ];
  for (const [text, pattern] of cases) {
    const line = text.split("\n").length;
    const k = text.split("\n").at(-1)!.split(" ")[0];
    refuses(text, line, new RegExp(`${k}: true is not supported yet|${k}: false is not supported yet`));
    refuses(text, line, pattern);
  }
  // The accepted value is silent.
  assert.deepEqual(read("retained_persistence true\nqueue_qos0_messages false\nupgrade_outgoing_qos false\nallow_anonymous true\n").warnings, []);
});

test("include_dir: *.conf files in Mosquitto's order (case-insensitive, upper case first), each read as part of the file", () => {
  assert.deepEqual(["b.conf", "A.conf", "01.conf", "a.conf", "B.conf", "00.conf"].sort(mosquittoOrder), ["00.conf", "01.conf", "A.conf", "a.conf", "B.conf", "b.conf"]);
  const inc = join(dir, "inc.d");
  mkdirSync(inc);
  writeFileSync(join(inc, "b.conf"), "max_keepalive 20\n");
  writeFileSync(join(inc, "A.conf"), "max_keepalive 10\nmax_inflight_messages 7\n");
  writeFileSync(join(inc, "notes.txt"), "this is not read\n");
  writeFileSync(join(inc, ".conf"), "neither is this (no name before .conf, as Mosquitto)\n");
  writeFileSync(join(inc, "listeners.conf"), `log_facility 3\nlistener 1884\nprotocol websockets\n`);
  const { config, warnings } = read(`${ANON}include_dir ${inc}\nmax_queued_messages 5\n`);
  assert.equal(config.maxKeepAlive, 20, "b.conf is read after A.conf");
  assert.equal(config.maxInflight, 7);
  assert.equal(config.maxQueuedMessages, 5);
  assert.deepEqual(config.listeners?.map((l) => [l.port, l.protocol, l.origin]), [[1884, "ws", `${join(inc, "listeners.conf")}:2`]]);
  assert.deepEqual(warnings, [`${join(inc, "listeners.conf")}:1: warning: log_facility is not supported yet; ignored (Vireo's log lines are set with log_type, log_dest and --log-format)`]);
});

test("include_dir: errors name the included file's line; nested include_dir is skipped with a warning; bad directories refused", () => {
  const inc = join(dir, "bad.d");
  mkdirSync(inc);
  writeFileSync(join(inc, "a.conf"), "# fine\nmax_keepalive 5\n");
  writeFileSync(join(inc, "b.conf"), "\n\nauth_plugin /usr/lib/auth.so\n");
  assert.throws(() => readMosquittoConf(conf(`include_dir ${inc}\n`)), (e: Error) => e.message.startsWith(`${join(inc, "b.conf")}:3: auth_plugin`));

  const nested = join(dir, "nested.d");
  mkdirSync(nested);
  writeFileSync(join(nested, "x.conf"), `include_dir ${nested}\n`);
  const r = read(`include_dir ${nested}\n`);
  assert.deepEqual(r.warnings, [`${join(nested, "x.conf")}:1: warning: include_dir is only read in the main config file (as Mosquitto does); ignored`]);

  refuses(`\ninclude_dir ${join(dir, "missing.d")}\n`, 2, /include_dir ".*missing\.d" cannot be read \(ENOENT\)/);
  refuses(`include_dir\n`, 1, /include_dir: missing value/);
  const self = join(dir, "self.d");
  mkdirSync(self);
  const main = conf("include_dir " + self + "\n", "self.d/main.conf");
  refuses("", 1, /include_dir must not contain the main config file/, main);
});
