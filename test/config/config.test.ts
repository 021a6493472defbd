import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, DEFAULT_CONFIG, loadConfig, mergeConfig } from "../../src/config/config.ts";
import { CONFIG_KEYS, validateConfig } from "../../src/config/validate.ts";

const dir = mkdtempSync(join(tmpdir(), "vireo-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes `content` (an object is JSON-encoded) to a fresh file and returns its path. */
function file(content: unknown): string {
  const path = join(dir, `c${n++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** Asserts loadConfig rejects `content` with a ConfigError whose message matches `pattern`. */
function rejects(content: unknown, pattern: RegExp, key?: string): void {
  assert.throws(() => loadConfig(file(content)), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
    assert.match(err.message, pattern);
    if (key !== undefined) assert.equal(err.key, key);
    return true;
  });
}

test("config: documented defaults", () => {
  assert.equal(DEFAULT_CONFIG.host, ""); // chosen by the access policy (127.0.0.1 without authentication)
  assert.equal(DEFAULT_CONFIG.port, 1883);
  assert.equal(DEFAULT_CONFIG.maxPacketSize, 268_435_460);
  assert.equal(DEFAULT_CONFIG.maxInflight, 1000);
  assert.equal(DEFAULT_CONFIG.maxQueuedMessages, 1000);
  assert.equal(DEFAULT_CONFIG.maxRetainedBacklog, 1_000_000);
  assert.equal(DEFAULT_CONFIG.maxKeepAlive, 0);
  assert.equal(DEFAULT_CONFIG.sessionExpiryMaximum, 0xffffffff);
  assert.equal(DEFAULT_CONFIG.topicAliasMaximum, 10);
  assert.equal(DEFAULT_CONFIG.maxTopicLength, 65535);
  assert.equal(DEFAULT_CONFIG.maxConnections, 0);
  assert.equal(DEFAULT_CONFIG.maxClientIdLength, 65535);
  assert.equal(DEFAULT_CONFIG.retainAvailable, true);
  assert.equal(DEFAULT_CONFIG.wildcardSubscriptionAvailable, true);
  assert.equal(DEFAULT_CONFIG.sharedSubscriptionAvailable, true);
  assert.equal(DEFAULT_CONFIG.subscriptionIdentifierAvailable, true);
  assert.equal(DEFAULT_CONFIG.maximumQoS, 2);
  assert.equal(DEFAULT_CONFIG.keepAliveTickMs, 100);
  assert.equal(DEFAULT_CONFIG.warmupMessages, 500_000);
  assert.equal(DEFAULT_CONFIG.verbose, false);
  assert.equal(DEFAULT_CONFIG.persistence, false); // the library stays in memory; the CLI turns it on
  assert.equal(DEFAULT_CONFIG.persistenceLocation, "data");
  assert.equal(DEFAULT_CONFIG.persistenceFile, "vireo.db");
  assert.equal(DEFAULT_CONFIG.persistenceSync, "normal");
  assert.equal(DEFAULT_CONFIG.persistentClientExpiration, 0);
  assert.ok(Object.isFrozen(DEFAULT_CONFIG));
});

test("config: every default passes its own validation and every rule has a default", () => {
  // host's default "" (127.0.0.1 or 0.0.0.0 by the access policy) is the one a user cannot write.
  const written = { ...DEFAULT_CONFIG, host: "127.0.0.1" };
  assert.deepEqual(validateConfig(written, "defaults"), written);
  assert.deepEqual([...CONFIG_KEYS].sort(), Object.keys(DEFAULT_CONFIG).sort());
});

test("config: a file's keys merge over the defaults", () => {
  const cfg = loadConfig(file({ port: 1884, verbose: true, maximumQoS: 1, host: "127.0.0.1" }));
  assert.deepEqual(cfg, { ...DEFAULT_CONFIG, port: 1884, verbose: true, maximumQoS: 1, host: "127.0.0.1" });
  assert.deepEqual(loadConfig(file({})), { ...DEFAULT_CONFIG });
  assert.equal(Object.isFrozen(cfg), false);
});

test("config: mergeConfig applies overrides left to right without touching the base", () => {
  const cfg = mergeConfig(DEFAULT_CONFIG, { port: 1 }, { port: 2, verbose: true });
  assert.equal(cfg.port, 2);
  assert.equal(cfg.verbose, true);
  assert.equal(DEFAULT_CONFIG.port, 1883);
});

test("config: unknown key is rejected by name, with a hint for case slips", () => {
  rejects({ prot: 1 }, /unknown setting "prot"/, "prot");
  rejects({ max_inflight: 5 }, /did you mean "maxInflight"/, "max_inflight");
});

test("config: wrong types are rejected naming the key", () => {
  rejects({ port: "1883" }, /"port" must be an integer, got "1883"/, "port");
  rejects({ port: 1.5 }, /"port" must be an integer/, "port");
  rejects({ verbose: "yes" }, /"verbose" must be true or false/, "verbose");
  rejects({ persistenceSync: "always" }, /"persistenceSync" must be one of "normal", "full", got "always"/, "persistenceSync");
  rejects({ persistenceLocation: "" }, /"persistenceLocation" must not be empty/, "persistenceLocation");
  rejects({ persistentClientExpiration: -1 }, /"persistentClientExpiration" must be between 0 and 4294967295/, "persistentClientExpiration");
  rejects({ host: 1 }, /"host" must be a string/, "host");
  rejects({ host: "" }, /"host" must not be empty/, "host");
  rejects({ maxInflight: null }, /"maxInflight" must be an integer, got null/, "maxInflight");
});

test("config: out-of-range values are rejected naming the key and the range", () => {
  rejects({ port: 70000 }, /"port" must be between 0 and 65535, got 70000/, "port");
  rejects({ maximumQoS: 3 }, /"maximumQoS" must be between 0 and 2/, "maximumQoS");
  rejects({ receiveMaximum: 0 }, /"receiveMaximum"/, "receiveMaximum");
  rejects({ maxClientIdLength: 10 }, /at least 23/, "maxClientIdLength");
  rejects({ sessionExpiryMaximum: 0x1_0000_0000 }, /"sessionExpiryMaximum"/, "sessionExpiryMaximum");
  rejects({ keepAliveTickMs: 0 }, /"keepAliveTickMs"/, "keepAliveTickMs");
});

test("config: boundary values are accepted", () => {
  const cfg = loadConfig(file({ port: 0, maxKeepAlive: 65535, sessionExpiryMaximum: 0, maxClientIdLength: 23, maximumQoS: 0 }));
  assert.equal(cfg.port, 0);
  assert.equal(cfg.maxKeepAlive, 65535);
  assert.equal(cfg.maxClientIdLength, 23);
});

test("config: the file must be readable JSON holding an object", () => {
  assert.throws(() => loadConfig(join(dir, "missing.json")), (e: unknown) => e instanceof ConfigError && /cannot read/.test(e.message) && /missing\.json/.test(e.message));
  rejects("{ port: 1 }", /invalid JSON/);
  rejects("[1,2]", /expected a JSON object of settings, got an array/);
  rejects("42", /expected a JSON object/);
  rejects("null", /got null/);
});
