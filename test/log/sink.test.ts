// Log sink: Mosquitto's log_type filter and log_dest, text or JSON lines; config validation of
// the keys (JSON arrays, repeatable flags).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogSink, enabledTypes } from "../../src/log/sink.ts";
import { ConfigError, validateConfig } from "../../src/config/validate.ts";
import { parseArgs } from "../../src/config/cli.ts";

test("log sink: JSON lines to a file, only enabled types; level first, fields kept", () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-log-"));
  try {
    const file = join(dir, "broker.log");
    const log = createLogSink({ format: "json", types: ["error", "notice"], dests: [`file ${file}`], now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    log("client c1 connected", { level: "notice", event: "connect", clientId: "c1", address: "127.0.0.1" });
    log("an information line"); // default level information: not enabled
    log("dropped", { level: "warning", event: "drop" });
    log("boom", { level: "error" });
    const lines = readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines, [
      { ts: "2026-01-02T03:04:05.000Z", level: "notice", msg: "client c1 connected", event: "connect", clientId: "c1", address: "127.0.0.1" },
      { ts: "2026-01-02T03:04:05.000Z", level: "error", msg: "boom" },
    ]);
    assert.equal(log.enabled("notice"), true);
    assert.equal(log.enabled("debug"), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("log sink: text lines; 'all' and 'none' as in mosquitto.conf; dest none writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-log-"));
  try {
    const file = join(dir, "t.log");
    const log = createLogSink({ format: "text", types: ["all"], dests: [`file ${file}`, "none"], now: () => 0 });
    log("hello", { level: "debug" });
    assert.equal(readFileSync(file, "utf8"), "vireo: hello\n", "text lines as the CLI always wrote them");
    assert.deepEqual([...enabledTypes(["all", "none", "error"])], ["error"]);
    const silent = createLogSink({ format: "text", dests: ["none"] });
    silent("nothing", { level: "error" }); // no writer: returns quietly
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("config: logType / logDest are arrays of known values; flags repeat; bad values name the key", () => {
  assert.deepEqual(validateConfig({ logType: ["error", "notice"], logDest: ["stdout", "file /var/log/vireo.log"], logFormat: "json" }, "f"),
    { logType: ["error", "notice"], logDest: ["stdout", "file /var/log/vireo.log"], logFormat: "json" });
  assert.throws(() => validateConfig({ logType: ["loud"] }, "f"), (e: Error) => e instanceof ConfigError && /"logType": unknown log type "loud"/.test(e.message));
  assert.throws(() => validateConfig({ logType: "error" }, "f"), /"logType" must be an array of strings/);
  assert.throws(() => validateConfig({ logDest: ["syslog"] }, "f"), /"logDest": log destination must be/);
  assert.throws(() => validateConfig({ logFormat: "xml" }, "f"), /"logFormat" must be one of "text", "json"/);
  assert.throws(() => validateConfig({ sysInterval: -1 }, "f"), /"sysInterval" must be between 0 and 86400/);
  const a = parseArgs(["--log-type", "error", "--log-type=notice", "--log-dest", "stdout", "--log-format", "json", "--sys-interval", "5"]);
  assert.deepEqual(a.overrides, { logType: ["error", "notice"], logDest: ["stdout"], logFormat: "json", sysInterval: 5 });
  assert.throws(() => parseArgs(["--sys-interval", "5s"]), /"sysInterval" must be an integer/);
  assert.throws(() => parseArgs(["--log-type", "chatty"]), /unknown log type/);
});
