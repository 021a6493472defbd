// Helpers for the mosquitto.conf tests: files in a temp dir, readable stand-in TLS files, and
// assertions that a file is read, warned about, or refused at an exact FILE:LINE.
import { after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/config.ts";
import { type LoadedConfig, readMosquittoConf } from "../../src/config/mosquitto_conf.ts";

/** Listener lines need this, as Mosquitto 2 refuses anonymous clients otherwise (see mosquitto_conf.ts). */
export const ANON = "allow_anonymous true\n";

/**
 * A temp dir for one test file (removed after it), stand-in TLS files (only readability is
 * checked at config time; the listener layer parses the PEM), and helpers writing *.conf files.
 */
export function confFixture() {
  const dir = mkdtempSync(join(tmpdir(), "vireo-conf-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, "server.crt"), key = join(dir, "server.key"), ca = join(dir, "ca.crt"), capath = join(dir, "certs");
  for (const f of [cert, key, ca]) writeFileSync(f, "-----BEGIN TEST-----\n");
  mkdirSync(capath);
  let n = 0;

  /** Writes `text` to a fresh *.conf file (or `name` under dir) and returns its path. */
  function conf(text: string, name = `c${n++}.conf`): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Reads `text` as mosquitto.conf. */
  function read(text: string): LoadedConfig & { path: string } {
    const path = conf(text);
    return { path, ...readMosquittoConf(path) };
  }

  /** Asserts reading `text` (or `file`) fails with one ConfigError naming FILE:`line` and matching `pattern`. */
  function refuses(text: string, line: number, pattern: RegExp, file?: string): void {
    const path = file ?? conf(text);
    assert.throws(() => readMosquittoConf(path), (err: unknown) => {
      assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
      assert.ok(err.message.startsWith(`${path}:${line}: `), `expected ${path}:${line}: …, got ${err.message}`);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes("\n"), "one line");
      return true;
    }, text);
  }

  return { dir, cert, key, ca, capath, conf, read, refuses };
}
