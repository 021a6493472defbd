// -c picks the reader by file name (*.conf = mosquitto.conf, else JSON); flags still override;
// -p / --host replace a file's listeners with one TCP listener, said in a warning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLI_DEFAULTS, HELP_TEXT, resolveConfig } from "../../src/config/cli.ts";
import { ConfigError } from "../../src/config/config.ts";
import { ANON, confFixture } from "./conf_helpers.ts";

const { conf, cert, key } = confFixture();

test("cli: -c FILE.conf is read as mosquitto.conf, with its warnings; flags override", () => {
  const path = conf(`${ANON}port 1999\nmax_inflight_messages 5\nlog_facility 3\n`);
  const r = resolveConfig(["-c", path, "--verbose"]);
  assert.deepEqual(r.config, { ...CLI_DEFAULTS, port: 1999, maxInflight: 5, verbose: true, allowAnonymous: true });
  assert.deepEqual(r.warnings, [`${path}:4: warning: log_facility is not supported yet; ignored (Vireo's log lines are set with log_type, log_dest and --log-format)`]);
  assert.equal(resolveConfig(["-c", path, "-p", "2000"]).config.port, 2000);
  assert.equal(resolveConfig(["-c", conf("max_keepalive 5\n", "upper.CONF")]).config.maxKeepAlive, 5, "the suffix is case-insensitive");
});

test("cli: -c FILE.json is still JSON; JSON in a .conf file is a mosquitto.conf error at line 1", () => {
  const json = conf(JSON.stringify({ port: 1998 }), "x.json");
  assert.equal(resolveConfig(["-c", json]).config.port, 1998);
  assert.deepEqual(resolveConfig(["-c", json]).warnings, []);
  const wrong = conf(JSON.stringify({ port: 1998 }), "wrong.conf");
  assert.throws(() => resolveConfig(["-c", wrong]), (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${wrong}:1: unknown key`));
});

test("cli: -p / --host replace a file's listeners with one mqtt listener, and say so", () => {
  const path = conf(`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\nlistener 8080\nprotocol websockets\n`);
  assert.equal(resolveConfig(["-c", path]).config.listeners.length, 2);
  for (const flags of [["-p", "1884"], ["--host", "127.0.0.1"]]) {
    const r = resolveConfig(["-c", path, ...flags]);
    assert.deepEqual(r.config.listeners, [], flags.join(" "));
    assert.match(r.warnings.at(-1)!, new RegExp(`-p / --host given: the 2 listener\\(s\\) of ${path} are replaced by one mqtt listener on `));
  }
});

test("cli: no file and a listener-less mosquitto.conf give no warnings; the latter binds loopback only", () => {
  assert.deepEqual(resolveConfig([]).warnings, []);
  const r = resolveConfig(["-c", conf("max_keepalive 30\n")]);
  assert.equal(r.config.host, "127.0.0.1");
  assert.deepEqual(r.warnings, []);
  assert.equal(resolveConfig(["-c", conf("max_keepalive 30\n"), "--host", "0.0.0.0"]).config.host, "0.0.0.0");
});

test("cli: --help explains both config syntaxes", () => {
  assert.match(HELP_TEXT, /mosquitto\.conf/);
  assert.match(HELP_TEXT, /JSON/);
  assert.match(HELP_TEXT, /listeners/);
});
