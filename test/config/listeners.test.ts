// JSON `listeners`: the shape both config syntaxes produce, validated with messages naming the
// listener index and key; effectiveListeners' one-TCP-listener default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, DEFAULT_CONFIG, effectiveListeners, loadConfig, mergeConfig } from "../../src/config/config.ts";
import { confFixture } from "./conf_helpers.ts";

// Stand-in TLS files: only readability is checked at config time; the listener layer parses the PEM.
const { dir, cert, key, ca, capath, conf } = confFixture();

let n = 0;
function load(content: unknown) {
  const path = conf(JSON.stringify(content), `l${n++}.json`);
  return { path, config: loadConfig(path) };
}

/** Asserts `listeners` is refused with a ConfigError (key "listeners") whose message matches. */
function rejects(listeners: unknown, pattern: RegExp, extra: Record<string, unknown> = {}): void {
  assert.throws(() => load({ ...extra, listeners }), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
    assert.match(err.message, pattern);
    assert.match(err.message, /config file .*\.json/);
    assert.equal(err.key, "listeners");
    return true;
  });
}

test("listeners: default is empty, meaning one mqtt listener on host:port", () => {
  assert.deepEqual(DEFAULT_CONFIG.listeners, []);
  assert.ok(Object.isFrozen(DEFAULT_CONFIG.listeners), "the shared default cannot be mutated");
  // host "": the access policy picks (Broker.bindHost: 127.0.0.1 without authentication, else 0.0.0.0)
  assert.deepEqual(effectiveListeners(DEFAULT_CONFIG), [{ host: "", port: 1883, protocol: "mqtt" }]);
  assert.deepEqual(effectiveListeners(mergeConfig(DEFAULT_CONFIG, { host: "127.0.0.1", port: 0 })), [{ host: "127.0.0.1", port: 0, protocol: "mqtt" }]);
});

test("listeners: every kind, normalised (protocol defaults to mqtt, host to the file's host)", () => {
  const { path, config } = load({
    host: "127.0.0.1",
    listeners: [
      { port: 1883 },
      { protocol: "mqtts", port: 8883, host: "0.0.0.0", maxConnections: 1000, tls: { certfile: cert, keyfile: key, cafile: ca, requireCertificate: true, useIdentityAsUsername: true, tlsVersion: "tlsv1.3" } },
      { protocol: "ws", port: 8080, path: "/mqtt" },
      { protocol: "wss", port: 8081, tls: { certfile: cert, keyfile: key, capath } },
      { protocol: "http", port: 9090 },
    ],
  });
  const at = (i: number) => `config file ${path} listeners[${i}]`;
  assert.deepEqual(config.listeners, [
    { port: 1883, host: "127.0.0.1", protocol: "mqtt", origin: at(0) },
    { port: 8883, host: "0.0.0.0", protocol: "mqtts", origin: at(1), maxConnections: 1000, tls: { certfile: cert, keyfile: key, cafile: ca, requireCertificate: true, useIdentityAsUsername: true, tlsVersion: "tlsv1.3" } },
    { port: 8080, host: "127.0.0.1", protocol: "ws", origin: at(2), path: "/mqtt" },
    { port: 8081, host: "127.0.0.1", protocol: "wss", origin: at(3), tls: { certfile: cert, keyfile: key, capath } },
    { port: 9090, host: "127.0.0.1", protocol: "http", origin: at(4) },
  ]);
  assert.equal(effectiveListeners(config).length, 5);
  assert.deepEqual(load({ listeners: [{ port: 1 }] }).config.listeners[0].host, "0.0.0.0");
  assert.deepEqual(load({ listeners: [] }).config.listeners, []);
});

test("listeners: a top-level port next to listeners is refused (it would be ignored)", () => {
  assert.throws(() => load({ port: 1884, listeners: [{ port: 1883 }] }), (e: unknown) => e instanceof ConfigError && e.key === "port" && /"port" is not used when "listeners" is given/.test(e.message));
  assert.equal(load({ port: 1884, listeners: [] }).config.port, 1884, "an empty list means host:port");
});

test("listeners: shape errors name the index and key", () => {
  rejects({ port: 1 }, /"listeners" must be an array/);
  rejects([1], /"listeners\[0\]" must be an object, got number 1/);
  rejects([{ port: 1 }, { port: 2, prot: "ws" }], /"listeners\[1\]\.prot" is not a listener setting/);
  rejects([{ protocol: "mqtt" }], /"listeners\[0\]\.port" is required/);
  rejects([{ port: "1883" }], /"listeners\[0\]\.port" must be an integer, got "1883"/);
  rejects([{ port: 70000 }], /"listeners\[0\]\.port" must be between 0 and 65535/);
  rejects([{ port: 1, host: "" }], /"listeners\[0\]\.host" must not be empty/);
  rejects([{ port: 1, protocol: "mqtt+tls" }], /"listeners\[0\]\.protocol" must be one of mqtt, mqtts, ws, wss, http, got "mqtt\+tls"/);
  rejects([{ port: 1, maxConnections: -1 }], /"listeners\[0\]\.maxConnections" must be between 0/);
  rejects([{ port: 1, protocol: "ws", path: 5 }], /"listeners\[0\]\.path" must be a string/);
});

test("listeners: TLS settings are required on mqtts / wss, refused elsewhere, and their files must be readable", () => {
  rejects([{ port: 1, protocol: "mqtts" }], /listeners\[0\]: protocol mqtts needs TLS settings/);
  rejects([{ port: 1, protocol: "wss", tls: { certfile: cert } }], /"listeners\[0\]\.tls" needs both "certfile" and "keyfile"/);
  rejects([{ port: 1, protocol: "mqtt", tls: { certfile: cert, keyfile: key } }], /TLS settings given for a plain mqtt listener \(use protocol mqtts\)/);
  rejects([{ port: 1, protocol: "ws", tls: { certfile: cert, keyfile: key } }], /\(use protocol wss\)/);
  rejects([{ port: 1, protocol: "mqtts", tls: { certfile: cert, keyfile: key, ciphers: "x" } }], /"listeners\[0\]\.tls\.ciphers" is not a TLS setting/);
  rejects([{ port: 1, protocol: "mqtts", tls: { certfile: join(dir, "nope.crt"), keyfile: key } }], /certfile ".*nope\.crt" cannot be read \(ENOENT\)/);
  rejects([{ port: 1, protocol: "mqtts", tls: { certfile: cert, keyfile: dir } }], /keyfile ".*" is not a file/);
  rejects([{ port: 1, protocol: "mqtts", tls: { certfile: cert, keyfile: key, capath: ca } }], /capath ".*ca\.crt" is not a directory/);
  rejects([{ port: 1, protocol: "mqtts", tls: { certfile: cert, keyfile: key, requireCertificate: true } }], /requiring client certificates needs a cafile or capath/);
  rejects([{ port: 1, protocol: "mqtts", tls: { certfile: cert, keyfile: key, tlsVersion: "tlsv1.1" } }], /"listeners\[0\]\.tls\.tlsVersion" must be "tlsv1.2" or "tlsv1.3"/);
  rejects([{ port: 1, protocol: "mqtts", tls: { certfile: cert, keyfile: key, requireCertificate: "yes" } }], /"listeners\[0\]\.tls\.requireCertificate" must be true or false/);
});

test("listeners: a WebSocket path only on ws / wss, starting with /", () => {
  rejects([{ port: 1, protocol: "mqtt", path: "/mqtt" }], /"path" only applies to ws and wss listeners, not mqtt/);
  rejects([{ port: 1, protocol: "ws", path: "mqtt" }], /"path" must start with "\/"/);
});

test("listeners: two listeners that would bind one port are refused, naming both", () => {
  rejects([{ port: 1883 }, { port: 1883 }], /listeners\[1\]: port 1883 is already used by the listener at .*listeners\[0\]/);
  rejects([{ port: 1883, host: "127.0.0.1" }, { port: 1883, protocol: "ws", host: "0.0.0.0" }], /port 1883 is already used/);
  rejects([{ port: 1883, host: "::" }, { port: 1883, host: "10.0.0.1" }], /port 1883 is already used/);
  // Distinct addresses on one port, and several "any free port" listeners, are fine.
  assert.equal(load({ listeners: [{ port: 1883, host: "127.0.0.1" }, { port: 1883, host: "127.0.0.2" }] }).config.listeners.length, 2);
  assert.equal(load({ listeners: [{ port: 0 }, { port: 0, protocol: "ws" }] }).config.listeners.length, 2);
});
