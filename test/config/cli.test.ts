import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HELP_TEXT, parseArgs, resolveConfig } from "../../src/config/cli.ts";
import { ConfigError, DEFAULT_CONFIG } from "../../src/config/config.ts";
import { CONFIG_KEYS } from "../../src/config/validate.ts";

const dir = mkdtempSync(join(tmpdir(), "vireo-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function badArgs(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof ConfigError && pattern.test(e.message), `argv ${argv.join(" ")}`);
}

test("cli: no arguments means no overrides", () => {
  assert.deepEqual(parseArgs([]), { overrides: {}, help: false });
});

test("cli: short and long flags, with separate or = values", () => {
  assert.deepEqual(parseArgs(["-p", "1884", "--host", "127.0.0.1", "-c", "x.json", "-v"]), {
    overrides: { port: 1884, host: "127.0.0.1", verbose: true },
    configPath: "x.json",
    help: false,
  });
  assert.deepEqual(parseArgs(["--port=0", "--host=::1", "--config=y.json", "--verbose"]), {
    overrides: { port: 0, host: "::1", verbose: true },
    configPath: "y.json",
    help: false,
  });
  assert.equal(parseArgs(["--help"]).help, true);
  assert.equal(parseArgs(["-h"]).help, true);
  assert.equal(parseArgs(["-p", "1", "-p", "2"]).overrides.port, 2, "the last flag wins");
});

test("cli: bad flags and values are ConfigErrors", () => {
  badArgs(["--bogus"], /unknown option --bogus/);
  badArgs(["--bogus=1"], /unknown option --bogus/);
  badArgs(["stray"], /unexpected argument "stray"/);
  badArgs(["-p"], /-p needs a value/);
  badArgs(["--port", "abc"], /"port" must be an integer/);
  badArgs(["--port", "65536"], /between 0 and 65535/);
  badArgs(["--port", ""], /"port" must be an integer/);
  badArgs(["--port=0x10"], /"port" must be an integer/);
  badArgs(["--port", "-1"], /"port" must be an integer/);
  badArgs(["--host="], /"host" must not be empty/);
  badArgs(["-c"], /-c needs a value/);
  badArgs(["--config="], /needs a file name/);
  badArgs(["--verbose=true"], /--verbose takes no value/);
});

test("cli: resolveConfig layers defaults, then the file, then flags", () => {
  const path = join(dir, "broker.json");
  writeFileSync(path, JSON.stringify({ port: 1999, maxInflight: 7, host: "10.0.0.1" }));
  const r = resolveConfig(["-c", path, "--port", "2000"]);
  assert.equal(r.help, false);
  assert.equal(r.configPath, path);
  // The command line persists by default (the library does not).
  assert.deepEqual(r.config, { ...DEFAULT_CONFIG, persistence: true, port: 2000, maxInflight: 7, host: "10.0.0.1" });
  assert.deepEqual(resolveConfig([]).config, { ...DEFAULT_CONFIG, persistence: true });
});

test("cli: --data DIR persists there, --memory turns persistence off, both together are an error", () => {
  assert.equal(DEFAULT_CONFIG.persistence, false);
  const d = resolveConfig(["--data", "/tmp/x"]).config;
  assert.equal(d.persistence, true);
  assert.equal(d.persistenceLocation, "/tmp/x");
  assert.equal(resolveConfig(["--data=rel"]).config.persistenceLocation, "rel");
  assert.equal(resolveConfig(["--memory"]).config.persistence, false);
  const path = join(dir, "mem.json");
  writeFileSync(path, JSON.stringify({ persistence: false }));
  assert.equal(resolveConfig(["-c", path]).config.persistence, false);
  assert.throws(() => resolveConfig(["--memory", "--data", "d"]), /--data and --memory contradict/);
  assert.throws(() => resolveConfig(["--data", ""]), /"persistenceLocation" must not be empty/);
  assert.throws(() => resolveConfig(["--memory=1"]), /--memory takes no value/);
  assert.match(HELP_TEXT, /--data DIR/);
  assert.match(HELP_TEXT, /--memory/);
});

test("cli: resolveConfig reports file errors, but --help skips the file", () => {
  const path = join(dir, "bad.json");
  writeFileSync(path, JSON.stringify({ port: "x" }));
  assert.throws(() => resolveConfig(["-c", path]), (e: unknown) => e instanceof ConfigError && e.key === "port");
  assert.equal(resolveConfig(["-c", path, "--help"]).help, true);
});

test("cli: help text documents the flags and every config key", () => {
  for (const flag of ["--port", "-p", "--host", "--config", "-c", "--verbose", "-v", "--help"]) {
    assert.ok(HELP_TEXT.includes(flag), flag);
  }
  for (const key of CONFIG_KEYS) assert.match(HELP_TEXT, new RegExp(`\\b${key}\\b`));
});
