// Real Mosquitto configuration files (test/fixtures/mosquitto/, provenance in its README): each is
// read, warned about or refused exactly as documented, and every option of Mosquitto's own stock
// mosquitto.conf is a key Vireo knows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lookupKey } from "../../src/config/mosquitto_keys.ts";
import { readMosquittoConf } from "../../src/config/mosquitto_conf.ts";
import { confFixture } from "./conf_helpers.ts";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/mosquitto");
const fixture = (name: string) => join(fixtures, name);
const { cert, key, ca, read, refuses } = confFixture();

test("fixture: Mosquitto 2.0.11's stock mosquitto.conf (every option commented out) = local listener, no warnings", () => {
  assert.deepEqual(readMosquittoConf(fixture("stock-2.0.11.conf")), { config: { host: "127.0.0.1" }, warnings: [] });
});

test("fixture: every option the stock mosquitto.conf documents is a key Vireo knows (supported, warned or refused)", () => {
  const text = readFileSync(fixture("stock-2.0.11.conf"), "utf8");
  const keys = new Set([...text.matchAll(/^#([a-z][a-z0-9_.]*)(?: |$)/gm)].map((m) => m[1]));
  assert.ok(keys.size >= 90, `found ${keys.size} option names`);
  assert.deepEqual([...keys].filter((k) => lookupKey(k) === undefined), []);
});

test("fixture: the stock file's default values, uncommented one at a time, are accepted (still local-only), warned or refused by name, never a bad value", () => {
  const text = readFileSync(fixture("stock-2.0.11.conf"), "utf8");
  const lines = [...text.matchAll(/^#([a-z][a-z0-9_.]*) ([^<\n]+)$/gm)]; // lines with a value, not a <placeholder>
  assert.ok(lines.length > 40, `found ${lines.length} default lines`);
  for (const [, k, value] of lines) {
    const entry = lookupKey(k)!;
    const body = `allow_anonymous true\n${k} ${value}\n`;
    if ("unsupported" in entry && entry.unsupported === "refuse") {
      refuses(body, 2, new RegExp(`: ${k} is not supported yet`));
      continue;
    }
    try {
      // Mosquitto's defaults open no listener: the file stays local-only.
      const { config } = read(body);
      assert.equal(config.host, "127.0.0.1", `${k} ${value}`);
      assert.equal(config.listeners, undefined, `${k} ${value}`);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      // Only the documented defaults Vireo cannot honour may refuse, by key (e.g. allow_anonymous false).
      assert.match((err as Error).message, new RegExp(`:2: ${k}: (false|true) is not supported yet`), `${k} ${value}`);
    }
  }
});

test("fixture: Debian's /etc/mosquitto/mosquitto.conf: persistence in /var/lib/mosquitto/, log to its file, pid_file warned", () => {
  const path = fixture("debian-etc.conf");
  let r: ReturnType<typeof readMosquittoConf>;
  try {
    r = readMosquittoConf(path);
  } catch (err) { // no /etc/mosquitto/conf.d here: refused at the include_dir line, past the persistence lines
    assert.match((err as Error).message, new RegExp(`^${path.replace(/[.]/g, "\\.")}:13: include_dir`));
    return;
  }
  assert.equal(r.config.persistence, true);
  assert.equal(r.config.persistenceLocation, "/var/lib/mosquitto/");
  assert.deepEqual(r.config.logDest, ["file /var/log/mosquitto/mosquitto.log"]);
  assert.deepEqual(r.warnings.map((w) => w.slice(path.length)), [
    ":6: warning: pid_file is not supported yet; ignored (Vireo writes no pid file)",
  ]);
});

test("fixture: Mosquitto's docker no-auth config: one plain listener on 1883, anonymous allowed", () => {
  const path = fixture("docker-no-auth.conf");
  assert.deepEqual(readMosquittoConf(path), {
    config: { listeners: [{ port: 1883, host: "0.0.0.0", protocol: "mqtt", origin: `${path}:4` }], allowAnonymous: true },
    warnings: [],
  });
});

test("fixture: Mosquitto's test/random/random.conf is refused at its first auth_plugin; without plugins it gives 16 listeners of 4 kinds", () => {
  refuses("", 10, /auth_plugin is not supported yet/, fixture("random.conf"));
  // The same file with the password_file / auth_plugin lines dropped, the TLS files pointed at
  // stand-ins, and allow_anonymous in each block (per_listener_settings true).
  const text = readFileSync(fixture("random.conf"), "utf8")
    .split("\n").filter((l) => !/^(password_file|auth_plugin) /.test(l))
    .map((l) => l.replace("../ssl/all-ca.crt", ca).replace("../ssl/server.crt", cert).replace("../ssl/server.key", key))
    .map((l) => (l.startsWith("listener ") ? `${l}\nallow_anonymous true` : l))
    .join("\n");
  const { config, warnings } = read(text);
  assert.deepEqual(warnings, []);
  const kinds = config.listeners!.map((l) => `${l.protocol}:${l.port}`);
  assert.deepEqual(kinds, [
    "mqtt:1883", "mqtt:1884", "mqtt:1885", "mqtt:1886",
    "mqtts:8883", "mqtts:8884", "mqtts:8885", "mqtts:8886",
    "ws:8000", "ws:8001", "ws:8002", "ws:8003",
    "wss:4430", "wss:4431", "wss:4432", "wss:4433",
  ]);
  assert.deepEqual(config.listeners![4].tls, { certfile: cert, keyfile: key, cafile: ca });
  assert.deepEqual(config.listeners![15].tls, { certfile: cert, keyfile: key, cafile: ca });
});
