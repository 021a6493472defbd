// The README's config sections stay true: every mosquitto.conf key Vireo knows is listed there,
// and the example files it shows (mosquitto.conf and JSON listeners) are read as described.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/config.ts";
import { KEYS, PREFIX_KEYS } from "../../src/config/mosquitto_keys.ts";
import { confFixture } from "./conf_helpers.ts";

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../README.md"), "utf8");
const { dir, cert, key, ca, conf, read } = confFixture();

/** The text of the README section whose heading is `title`, up to the next heading of its level. */
function section(title: string): string {
  const start = readme.indexOf(`\n${title}\n`);
  assert.ok(start >= 0, title);
  const level = title.split(" ")[0];
  const end = readme.indexOf(`\n${level} `, start + title.length + 2);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The first fenced block of `lang` in `text`, with the example TLS paths pointed at stand-in files. */
function example(text: string, lang: string): string {
  const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(text);
  assert.ok(m, lang);
  return m[1].replaceAll("/etc/vireo/tls/server.crt", cert).replaceAll("/etc/vireo/tls/server.key", key).replaceAll("/etc/vireo/tls/ca.crt", ca);
}

test("README: every mosquitto.conf key of the table is listed in \"Configure with mosquitto.conf\"", () => {
  const text = section("## Configure with mosquitto.conf");
  const listed = (k: string) => text.includes(`\`${k}`) || [...text.matchAll(/`([a-z_]+)\*`/g)].some((m) => k.startsWith(m[1]));
  assert.deepEqual(Object.keys(KEYS).filter((k) => !listed(k)), []);
  for (const [prefix] of PREFIX_KEYS) assert.ok(text.includes(`\`${prefix}*\``), prefix);
});

test("README: the mosquitto.conf example gives the listeners it describes", () => {
  const inc = join(dir, "conf.d");
  mkdirSync(inc);
  writeFileSync(join(inc, "extra.conf"), "log_facility 3\n");
  const { config, warnings } = read(example(section("## Configure with mosquitto.conf"), "conf").replace("/etc/vireo/conf.d", inc));
  assert.deepEqual(config.listeners?.map((l) => `${l.protocol} ${l.host}:${l.port}${l.tls?.requireCertificate ? " mutual" : ""}`), [
    "mqtt 127.0.0.1:1883", "mqtts 0.0.0.0:8883", "mqtts 0.0.0.0:8884 mutual", "ws 0.0.0.0:8080", "wss 0.0.0.0:8081",
  ]);
  assert.equal(config.maxInflight, 100);
  assert.equal(config.maxQueuedMessages, 5000);
  assert.equal(config.maxKeepAlive, 300);
  assert.equal(warnings.length, 1, "the included file's log_facility");
});

test("README: the JSON listeners example is valid", () => {
  const path = conf(example(section("### Listeners (JSON)"), "json"), "readme.json");
  const config = loadConfig(path);
  assert.deepEqual(config.listeners.map((l) => `${l.protocol}:${l.port}`), ["mqtt:1883", "mqtts:8883", "mqtts:8884", "ws:8080", "wss:8081", "http:9090"]);
});
