// The CLI with -c FILE.conf: a bad or refused line is one stderr message naming FILE:LINE and
// exit 2 before anything listens; warnings are printed and the broker then serves.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectPacket, RawClient } from "../helpers/raw.ts";
import { runCli } from "../helpers/run_cli.ts";

const dir = mkdtempSync(join(tmpdir(), "vireo-cli-conf-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function conf(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test("cli: a bad mosquitto.conf value is one stderr line naming FILE:LINE, exit 2, nothing on stdout", async () => {
  const path = conf("bad.conf", "# broker\nallow_anonymous true\nlistener 1883 127.0.0.1\nmax_keepalive soon\n");
  const r = await runCli(["-c", path]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `vireo: ${path}:4: max_keepalive: expected an integer, got "soon"\n`);
  assert.equal(r.stdout, "");
});

test("cli: a key Vireo refuses (auth_plugin) exits 2 naming FILE:LINE; an unknown key too", async () => {
  const refused = conf("auth.conf", "listener 1883\nauth_plugin /usr/lib/auth.so\n");
  const r = await runCli(["-c", refused]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^vireo: ${refused}:2: auth_plugin is not supported yet and Vireo will not start without it: `));
  assert.equal(r.stderr.split("\n").length, 2, "one line");
  const unknown = conf("typo.conf", "max_inflight 10\n");
  const u = await runCli(["-c", unknown]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, new RegExp(`^vireo: ${unknown}:1: unknown key "max_inflight"`));
});

test("cli: warnings for ignored keys are printed with FILE:LINE, then the broker serves the conf's listener", async () => {
  const path = conf("ok.conf", "pid_file /run/vireo.pid\nlog_facility 3\nallow_anonymous true\nlistener 0 127.0.0.1\n");
  let connack = -1;
  let client: Promise<void> = Promise.resolve();
  const r = await runCli(["-c", path], (line, kill) => {
    const m = /^vireo listening on 127\.0\.0\.1:(\d+) \(mqtt\)$/.exec(line);
    if (m === null) return;
    client = (async () => {
      const raw = await RawClient.open(Number(m[1]), 4);
      try {
        raw.sendPacket(connectPacket("conf-cli", 4), 4);
        connack = (await raw.next("connack", 5000)).returnCode;
      } finally {
        raw.destroy();
        kill("SIGTERM");
      }
    })().catch(() => kill("SIGKILL"));
  });
  await client;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(connack, 0);
  const warnings = r.stderr.split("\n").filter((l) => l.includes("warning"));
  assert.deepEqual(warnings, [
    `vireo: ${path}:1: warning: pid_file is not supported yet; ignored (Vireo writes no pid file)`,
    `vireo: ${path}:2: warning: log_facility is not supported yet; ignored (Vireo's log lines are set with log_type, log_dest and --log-format)`,
  ]);
});
