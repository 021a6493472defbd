// `vireo passwd` (src/main.ts passwd …): creates, updates and deletes users in a Mosquitto
// password file; the $7$ entries it writes log in to Debian's real mosquitto with mosquitto_pub.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PasswordFile } from "../../src/auth/password_file.ts";
import { freePort, sleep } from "../helpers/broker.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const main = join(root, "src/main.ts");
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const enc = new TextEncoder();

/** Runs `vireo passwd ARGS` under the current runtime, `input` on stdin. */
function passwd(args: string[], input = "") {
  const argv = isDeno ? ["run", "-A", "--no-check", main, "passwd", ...args] : ["run", main, "passwd", ...args];
  const r = spawnSync(process.execPath, argv, { cwd: root, input, encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stderr: r.stderr };
}


test("vireo passwd: -c -b creates a $7$ file, -b updates, prompt mode reads twice, -D deletes; errors exit non-zero", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-passwd-"));
  try {
    const f = join(dir, "pw");
    assert.equal(passwd(["-c", "-b", f, "alice", "s3cret"]).code, 0);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.match(readFileSync(f, "utf8"), /^alice:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==\n$/);
    assert.equal(passwd(["-b", "-I", "2000", f, "bob", "pw-b"]).code, 0);
    assert.equal(passwd(["-b", f, "alice", "new"]).code, 0); // update replaces, keeps one line
    const piped = passwd([f, "carol"], "typed\ntyped\n");
    assert.equal(piped.code, 0, piped.stderr);
    const mismatch = passwd([f, "dave"], "one\ntwo\n");
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /passwords do not match/);
    let pf = PasswordFile.parse(readFileSync(f, "utf8"), f);
    assert.deepEqual([...pf.users.keys()], ["bob", "alice", "carol"]);
    assert.equal(pf.users.get("bob")!.iterations, 2000);
    assert.equal(await pf.verify("alice", enc.encode("new")), true);
    assert.equal(await pf.verify("alice", enc.encode("s3cret")), false);
    assert.equal(await pf.verify("carol", enc.encode("typed")), true);
    assert.equal(passwd(["-D", f, "bob"]).code, 0);
    pf = PasswordFile.parse(readFileSync(f, "utf8"), f);
    assert.deepEqual([...pf.users.keys()], ["alice", "carol"]);
    assert.equal(passwd(["-D", f, "nobody"]).code, 1);
    assert.equal(passwd(["-c", "-D", f, "x"]).code, 2);
    assert.equal(passwd(["-b", join(dir, "missing"), "x", "y"]).code, 1); // no -c: the file must exist
    writeFileSync(join(dir, "broken"), "x:notahash\n");
    const broken = passwd(["-b", join(dir, "broken"), "x", "y"]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /broken:1: user "x"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a password file written by vireo passwd is accepted by Debian's mosquitto (mosquitto_pub -u -P)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-passwd-mosq-"));
  const port = await freePort();
  const f = join(dir, "pw"), conf = join(dir, "mosquitto.conf");
  assert.equal(passwd(["-c", "-b", f, "alice", "s3cret"]).code, 0);
  // `user`: mosquitto started as root would drop to "mosquitto" and could not read the 0600 file.
  writeFileSync(conf, `user ${spawnSync("id", ["-un"], { encoding: "utf8" }).stdout.trim()}\nlistener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${f}\n`);
  const mosq = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  mosq.stderr!.on("data", (d) => (log += String(d)));
  try {
    const pub = (user: string, pass: string) =>
      spawnSync("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-u", user, "-P", pass, "-t", "t", "-m", "x", "-q", "1"], { encoding: "utf8", timeout: 10_000 });
    let ok = pub("alice", "s3cret");
    for (let i = 0; i < 50 && ok.status !== 0 && /refused|Connection|Error: Unknown/i.test(ok.stderr) && !/not authori[sz]ed/i.test(ok.stderr); i++) {
      await sleep(100); // mosquitto still starting
      ok = pub("alice", "s3cret");
    }
    assert.equal(ok.status, 0, ok.stderr + log);
    const bad = pub("alice", "wrong");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /not authori[sz]ed/i);
  } finally {
    if (mosq.exitCode === null) {
      process.kill(mosq.pid!, "SIGTERM");
      await new Promise((r) => mosq.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
