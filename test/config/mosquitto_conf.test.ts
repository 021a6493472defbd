// mosquitto.conf reader: every supported key, listener blocks and the default listener, TLS
// inference, line syntax, and the FILE:LINE on every error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_CONFIG } from "../../src/config/config.ts";
import { KEYS } from "../../src/config/mosquitto_keys.ts";
import { ANON, confFixture } from "./conf_helpers.ts";

const { ca, capath, cert, key, read, refuses } = confFixture();

/** What `listener 1` alone yields. */
const L1 = [{ port: 1, host: "0.0.0.0", protocol: "mqtt" }];

/** Supported keys: a line and the settings it yields (global Config values or the listener list). */
const SUPPORTED: Record<string, [string, Record<string, unknown>][]> = {
  allow_zero_length_clientid: [["allow_zero_length_clientid false", { allowZeroLengthClientId: false }], ["allow_zero_length_clientid 1", { allowZeroLengthClientId: true }]],
  max_inflight_messages: [["max_inflight_messages 20", { maxInflight: 20 }], ["max_inflight_messages 0", { maxInflight: 65535 }], ["max_inflight_messages -1", { maxInflight: 65535 }]],
  max_keepalive: [["max_keepalive 300", { maxKeepAlive: 300 }], ["max_keepalive 0", { maxKeepAlive: 0 }]],
  max_packet_size: [["max_packet_size 1048576", { maxPacketSize: 1048576 }], ["max_packet_size 0", { maxPacketSize: 268435460 }]],
  max_queued_messages: [["max_queued_messages 100", { maxQueuedMessages: 100 }], ["max_queued_messages 0", { maxQueuedMessages: Number.MAX_SAFE_INTEGER }]],
  message_size_limit: [["message_size_limit 1000", { maxPacketSize: 1000 + 5 + 2 + 65535 + 2 }], ["message_size_limit 0", {}]],
  retain_available: [["retain_available false", { retainAvailable: false }], ["retain_available true", { retainAvailable: true }]],
  sys_interval: [["sys_interval 1", { sysInterval: 1 }], ["sys_interval 0", { sysInterval: 0 }]],
  log_type: [["log_type error", { logType: ["error"] }], ["log_type error\nlog_type notice", { logType: ["error", "notice"] }], ["log_type all", { logType: ["all"] }]],
  log_dest: [["log_dest stdout", { logDest: ["stdout"] }], ["log_dest file /var/log/vireo path.log\nlog_dest stderr", { logDest: ["file /var/log/vireo path.log", "stderr"] }], ["log_dest syslog", {}], ["log_dest none", { logDest: ["none"] }]],
  allow_anonymous: [["allow_anonymous true", { allowAnonymous: true }], ["allow_anonymous false\npassword_file /etc/p", { allowAnonymous: false, passwordFile: "/etc/p" }]],
  password_file: [["password_file /etc/mosquitto/passwd", { passwordFile: "/etc/mosquitto/passwd" }]],
  acl_file: [["acl_file /etc/mosquitto/acl", { aclFile: "/etc/mosquitto/acl" }]],
  persistence: [["persistence false", { persistence: false }], ["persistence true", { persistence: true }]],
  persistence_location: [["persistence_location /var/lib/mosquitto/", { persistenceLocation: "/var/lib/mosquitto/" }]],
  persistence_file: [["persistence_file broker.db", { persistenceFile: "broker.db" }]],
  persistence_sync: [["persistence_sync full", { persistenceSync: "full" }], ["persistence_sync normal", { persistenceSync: "normal" }]],
  autosave_interval: [["autosave_interval 1800", {}]], // accepted: Vireo commits every tick
  autosave_on_changes: [["autosave_on_changes false", {}]],
  retained_persistence: [["retained_persistence true", {}]],
  persistent_client_expiration: [["persistent_client_expiration 2h", { persistentClientExpiration: 7200 }], ["persistent_client_expiration 14d", { persistentClientExpiration: 14 * 86400 }], ["persistent_client_expiration 1w", { persistentClientExpiration: 604800 }], ["persistent_client_expiration 6m", { persistentClientExpiration: 6 * 30 * 86400 }], ["persistent_client_expiration 1y", { persistentClientExpiration: 365 * 86400 }]],
  max_queued_bytes: [["max_queued_bytes 1000000", { maxQueuedBytes: 1000000 }], ["max_queued_bytes 0", { maxQueuedBytes: 0 }]],
  max_persistent_sessions: [["max_persistent_sessions 5000", { maxPersistentSessions: 5000 }]],
  queue_qos0_messages: [["queue_qos0_messages false", {}]],
  upgrade_outgoing_qos: [["upgrade_outgoing_qos false", {}]],
  per_listener_settings: [["per_listener_settings false", {}]],
  port: [[`${ANON}port 1884`, { port: 1884 }]],
  bind_address: [[`${ANON}bind_address 10.0.0.1`, { host: "10.0.0.1" }]],
  include_dir: [], // include_dir test below
  listener: [[`${ANON}listener 1884 127.0.0.1`, { listeners: [{ port: 1884, host: "127.0.0.1", protocol: "mqtt" }] }], [`${ANON}listener 1884`, { listeners: [{ port: 1884, host: "0.0.0.0", protocol: "mqtt" }] }]],
  protocol: [[`${ANON}listener 8080\nprotocol websockets`, { listeners: [{ port: 8080, host: "0.0.0.0", protocol: "ws" }] }], [`${ANON}listener 9090\nprotocol http`, { listeners: [{ port: 9090, host: "0.0.0.0", protocol: "http" }] }], [`${ANON}listener 1\nprotocol mqtt`, { listeners: L1 }]],
  max_connections: [[`${ANON}listener 1\nmax_connections 10`, { listeners: [{ port: 1, host: "0.0.0.0", protocol: "mqtt", maxConnections: 10 }] }], [`${ANON}listener 1\nmax_connections -1`, { listeners: L1 }]],
  max_qos: [[`${ANON}listener 1\nmax_qos 1`, { maximumQoS: 1, listeners: L1 }]],
  maximum_qos: [[`${ANON}listener 1\nmaximum_qos 0`, { maximumQoS: 0, listeners: L1 }]],
  max_topic_alias: [[`${ANON}listener 1\nmax_topic_alias 5`, { topicAliasMaximum: 5, listeners: L1 }]],
  use_username_as_clientid: [[`${ANON}listener 1\nuse_username_as_clientid false`, { listeners: L1 }]],
  use_subject_as_username: [[`${ANON}listener 1\nuse_subject_as_username false`, { listeners: L1 }]],
  tls_keyform: [[`${ANON}listener 1\ntls_keyform pem`, { listeners: L1 }]],
  certfile: [[`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}`, { listeners: [{ port: 8883, host: "0.0.0.0", protocol: "mqtts", tls: { certfile: cert, keyfile: key } }] }]],
  keyfile: [], // with certfile
  cafile: [[`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\ncafile ${ca}`, { listeners: [{ port: 8883, host: "0.0.0.0", protocol: "mqtts", tls: { certfile: cert, keyfile: key, cafile: ca } }] }]],
  capath: [[`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\ncapath ${capath}`, { listeners: [{ port: 8883, host: "0.0.0.0", protocol: "mqtts", tls: { certfile: cert, keyfile: key, capath } }] }]],
  require_certificate: [[`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\ncafile ${ca}\nrequire_certificate true`, { listeners: [{ port: 8883, host: "0.0.0.0", protocol: "mqtts", tls: { certfile: cert, keyfile: key, cafile: ca, requireCertificate: true } }] }]],
  use_identity_as_username: [[`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\nuse_identity_as_username true`, { listeners: [{ port: 8883, host: "0.0.0.0", protocol: "mqtts", tls: { certfile: cert, keyfile: key, useIdentityAsUsername: true } }] }]],
  tls_version: [[`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\ntls_version tlsv1.3`, { listeners: [{ port: 8883, host: "0.0.0.0", protocol: "mqtts", tls: { certfile: cert, keyfile: key, tlsVersion: "tlsv1.3" } }] }]],
};

/** The settings a file yields besides the local-only host of a file without listeners (and ANON's own). */
function settings(config: Record<string, unknown>, text = ""): Record<string, unknown> {
  const out = { ...config };
  if (text.startsWith(ANON) && out.allowAnonymous === true) delete out.allowAnonymous;
  if (out.host === "127.0.0.1" && out.listeners === undefined && out.port === undefined) delete out.host;
  for (const l of (out.listeners as Record<string, unknown>[] | undefined) ?? []) delete l.origin;
  return out;
}

test("mosquitto.conf: every supported key has a case here, and each case yields its settings", () => {
  const supported = Object.entries(KEYS).filter(([, e]) => !("unsupported" in e)).map(([k]) => k);
  assert.deepEqual(supported.filter((k) => !(k in SUPPORTED)), [], "supported keys without a test case");
  for (const [k, cases] of Object.entries(SUPPORTED)) {
    for (const [text, expected] of cases) {
      const { config } = read(`# ${k}\n${text}\n`);
      assert.deepEqual(settings(config as Record<string, unknown>, text), expected, text);
    }
  }
});

test("mosquitto.conf: no listener at all means local connections only, as Mosquitto 2", () => {
  assert.deepEqual(read("max_inflight_messages 10\n").config, { maxInflight: 10, host: "127.0.0.1" });
  assert.deepEqual(read("").config, { host: "127.0.0.1" });
  assert.deepEqual(read("# only comments\n\n   \n").config, { host: "127.0.0.1" });
});

test("mosquitto.conf: listener blocks own the per-listener keys that follow; global keys apply anywhere", () => {
  const { config, path } = read([
    "allow_anonymous true",            // 1
    "listener 1883 127.0.0.1",         // 2
    "max_connections 100",             // 3
    "listener 8883",                   // 4
    `certfile ${cert}`,                // 5
    `keyfile ${key}`,                  // 6
    "max_keepalive 60",                // 7: global, though inside a block
    "listener 8080",                   // 8
    "protocol websockets",             // 9
    "listener 8081 ::",                // 10
    "protocol websockets",             // 11
    `certfile ${cert}`,                // 12
    `keyfile ${key}`,                  // 13
    `cafile ${ca}`,                    // 14
    "require_certificate true",        // 15
  ].join("\n"));
  assert.equal(config.maxKeepAlive, 60);
  assert.deepEqual(config.listeners, [
    { port: 1883, host: "127.0.0.1", protocol: "mqtt", origin: `${path}:2`, maxConnections: 100 },
    { port: 8883, host: "0.0.0.0", protocol: "mqtts", origin: `${path}:4`, tls: { certfile: cert, keyfile: key } },
    { port: 8080, host: "0.0.0.0", protocol: "ws", origin: `${path}:8` },
    { port: 8081, host: "::", protocol: "wss", origin: `${path}:10`, tls: { certfile: cert, keyfile: key, cafile: ca, requireCertificate: true } },
  ]);
});

test("mosquitto.conf: the default listener: port / bind_address, or a per-listener key before any block", () => {
  // Plain: expressed as host / port, so -p and --host still apply.
  assert.deepEqual(read("allow_anonymous true\nport 1884\nbind_address 10.0.0.1\n").config, { port: 1884, host: "10.0.0.1", allowAnonymous: true });
  // With TLS it becomes a listener (port 1883 unless given), listed after the blocks as conf.c does.
  const tls = read(`${ANON}certfile ${cert}\nkeyfile ${key}\nlistener 1884\n`);
  assert.deepEqual(tls.config.listeners, [
    { port: 1884, host: "0.0.0.0", protocol: "mqtt", origin: `${tls.path}:4` },
    { port: 1883, host: "0.0.0.0", protocol: "mqtts", origin: `${tls.path}:2`, tls: { certfile: cert, keyfile: key } },
  ]);
  // Mosquitto's own defaults before any block do not open it: still local-only.
  assert.deepEqual(read("protocol mqtt\nmax_connections -1\nmax_qos 2\nrequire_certificate false\n").config, { host: "127.0.0.1", maximumQoS: 2 });
  // port inside a block still sets the default listener.
  const both = read(`${ANON}listener 1884\nport 1885\n`);
  assert.deepEqual(both.config.listeners?.map((l) => l.port), [1884, 1885]);
});

test("mosquitto.conf: max_qos / max_topic_alias are broker-wide in Vireo: the lowest wins, with a warning when listeners differ", () => {
  const { config, warnings, path } = read(`${ANON}listener 1\nmax_qos 1\nlistener 2\nmax_qos 0\nlistener 3\n`);
  assert.equal(config.maximumQoS, 0);
  assert.deepEqual(warnings, [`${path}:3: warning: max_qos applies to every listener in Vireo; using the lowest value given, 0`]);
  const same = read(`${ANON}listener 1\nmax_topic_alias 4\nlistener 2\nmax_topic_alias 4\n`);
  assert.equal(same.config.topicAliasMaximum, 4);
  assert.deepEqual(same.warnings, []);
});

test("mosquitto.conf: message_size_limit becomes a packet limit (with a warning); max_packet_size keeps the lower", () => {
  const { config, warnings, path } = read("max_packet_size 2000\nmessage_size_limit 10\n");
  assert.equal(config.maxPacketSize, 2000, "10 + the largest PUBLISH header is more than 2000");
  assert.equal(warnings.length, 1);
  assert.ok(warnings[0].startsWith(`${path}:2: warning: message_size_limit 10 is applied as maxPacketSize 2000`), warnings[0]);
  // The header allowance follows maxTopicLength, which Vireo reads from the JSON syntax only.
  assert.equal(read("message_size_limit 100\n").config.maxPacketSize, 100 + 5 + 2 + 65535 + 2);
});

test("mosquitto.conf: TLS keys without certfile + keyfile never yield a plain listener", () => {
  refuses(`${ANON}listener 8883\ncafile ${ca}\n`, 3, /cafile needs certfile and keyfile in the same listener/);
  refuses(`${ANON}listener 8883\nkeyfile ${key}\n`, 3, /keyfile needs certfile and keyfile/);
  refuses(`${ANON}listener 8883\nrequire_certificate true\n`, 3, /require_certificate needs certfile and keyfile/);
  refuses(`${ANON}listener 8883\ntls_version tlsv1.2\n`, 3, /tls_version needs certfile/);
  refuses(`${ANON}listener 8883\ncertfile ${cert}\n`, 3, /certfile needs keyfile in the same listener/);
  refuses(`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\nrequire_certificate true\n`, 5, /require_certificate needs a cafile or capath/);
  refuses(`${ANON}listener 9090\nprotocol http\ncertfile ${cert}\nkeyfile ${key}\n`, 4, /protocol http listeners do not take TLS/);
  refuses(`${ANON}listener 8883\ncertfile /no/such.crt\nkeyfile ${key}\n`, 3, /certfile "\/no\/such\.crt" cannot be read \(ENOENT\)/);
  refuses(`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\ncapath ${ca}\n`, 5, /capath ".*" is not a directory/);
  refuses(`${ANON}listener 8883\ncertfile ${cert}\ncertfile ${cert}\n`, 4, /certfile: given twice for this listener \(first at .*:3\)/);
  // require_certificate false / use_identity_as_username false ask for nothing.
  assert.deepEqual(read(`${ANON}listener 1\nrequire_certificate false\n`).config.listeners?.[0].protocol, "mqtt");
  // tlsv1.1: Vireo's floor is TLS 1.2, said in a warning.
  const old = read(`${ANON}listener 8883\ncertfile ${cert}\nkeyfile ${key}\ntls_version tlsv1.1\n`);
  assert.equal(old.config.listeners?.[0].tls?.tlsVersion, "tlsv1.2");
  assert.match(old.warnings[0], /:5: warning: tlsv1\.1: Vireo accepts TLS 1\.2 and 1\.3 only/);
});

test("mosquitto.conf: allow_anonymous as Mosquitto 2 reads it (false once a listener is defined, unless said)", () => {
  const closed = read("listener 1883\n");
  assert.equal(closed.config.allowAnonymous, false);
  assert.match(closed.warnings.join("\n"), /:1: warning: anonymous clients are refused \(allow_anonymous false by default once a listener is defined\) and there is no password_file: every client will be refused/);
  assert.equal(read("port 1884\npassword_file /p\n").config.allowAnonymous, false);
  assert.deepEqual(read("port 1884\npassword_file /p\n").warnings, []);
  assert.equal(read("allow_anonymous false\n").config.allowAnonymous, false);
  assert.equal(read("max_keepalive 10\n").config.allowAnonymous, undefined); // no listener: local only, anonymous allowed
  // per_listener_settings true: each listener's own, and one policy for the broker.
  refuses("per_listener_settings true\nlistener 1\nallow_anonymous true\nlistener 2\n", 4, /allow_anonymous differs between listeners; Vireo applies one access policy/);
  const both = read("per_listener_settings true\nlistener 1\nallow_anonymous true\nlistener 2\nallow_anonymous true\n").config;
  assert.equal(both.listeners?.length, 2);
  assert.equal(both.allowAnonymous, true);
  assert.equal(read("listener 1\nallow_anonymous true\n").config.allowAnonymous, true, "anywhere in the file");
});

test("mosquitto.conf: bad values name FILE:LINE and the key", () => {
  refuses("max_keepalive abc\n", 1, /max_keepalive: expected an integer, got "abc"/);
  refuses("max_keepalive 70000\n", 1, /max_keepalive: must be between 0 and 65535, got 70000/);
  refuses("\n\nretain_available yes\n", 3, /retain_available: expected true or false, got "yes"/);
  refuses("max_packet_size 10\n", 1, /must be at least 20 \(or 0 for no limit\)/);
  refuses("max_inflight_messages 70000\n", 1, /max_inflight_messages: must be between/);
  refuses("max_keepalive\n", 1, /max_keepalive: missing value/);
  refuses("max_keepalive 10 20\n", 1, /expected one value, got "10 20"/);
  refuses("sys_interval -1\n", 1, /sys_interval: must be between 0 and 86400, got -1/);
  refuses("\nlog_type chatty\n", 2, /log_type: .*unknown log type "chatty"/);
  refuses("log_dest file\n", 1, /log_dest: file needs a path/);
  refuses("log_dest pigeon\n", 1, /log_dest: .*log destination must be stderr, stdout, none or "file PATH"/);
  refuses(`${ANON}listener\n`, 2, /listener: missing value/);
  refuses(`${ANON}listener 70000\n`, 2, /listener: must be between 0 and 65535/);
  refuses(`${ANON}listener 1883 a b\n`, 2, /expected PORT \[ADDRESS\]/);
  refuses(`${ANON}listener 0\n`, 2, /port 0 needs an address/);
  refuses(`${ANON}listener 0 /run/mosquitto.sock\n`, 2, /unix socket listeners are not supported/);
  refuses(`${ANON}listener 1\nprotocol mqttsn\n`, 3, /protocol: expected mqtt, websockets or http, got "mqttsn"/);
  refuses(`${ANON}listener 1\nmax_connections 0\n`, 3, /0 would refuse every client \(use -1 for no limit\)/);
  refuses(`${ANON}listener 1\nmax_qos 3\n`, 3, /max_qos: must be between 0 and 2/);
  refuses(`${ANON}listener 1\ntls_keyform engine\n`, 3, /only pem key files/);
  refuses(`${ANON}listener 1\ntls_version sslv3\n`, 3, /expected tlsv1\.3, tlsv1\.2 or tlsv1\.1/);
  refuses(`${ANON}listener 1\nlistener 1\n`, 3, /port 1 is already used by the listener at .*:2/);
  refuses("bogus_key 1\n", 1, /unknown key "bogus_key"/);
  refuses("maxInflight 10\n", 1, /unknown key "maxInflight"/);
});

test("mosquitto.conf: line syntax: comments, blank lines, CRLF, tabs, indentation, trailing comments", () => {
  const { config } = read("# comment\r\n\r\n  max_keepalive\t30 # thirty\r\n\t# indented comment\r\nallow_anonymous true\r\nlistener 1884 # no address\r\nprotocol websockets # ws\r\n");
  assert.equal(config.maxKeepAlive, 30);
  assert.deepEqual(config.listeners?.map((l) => [l.port, l.host, l.protocol]), [[1884, "0.0.0.0", "ws"]]);
  assert.equal(read("\uFEFFmax_keepalive 40\n").config.maxKeepAlive, 40, "a byte order mark is not part of the first key");
  // A path is the rest of the line, spaces included (as conf.c).
  refuses(`${ANON}listener 8883\ncertfile ${cert} # the cert\nkeyfile ${key}\n`, 3, /certfile ".* # the cert" cannot be read/);
});

test("mosquitto.conf: defaults of keys not given stay Vireo's", () => {
  const { config } = read("max_keepalive 30\n");
  assert.equal(config.maxInflight, undefined, "max_inflight_messages absent: Vireo's default applies, not Mosquitto's 20");
  assert.equal(DEFAULT_CONFIG.maxInflight, 1000);
});
