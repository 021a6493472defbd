// The CLI with access control: a broken password or ACL file is one FILE:LINE line and exit 2;
// without authentication it listens on 127.0.0.1 and says so; --host 0.0.0.0 warns that anonymous
// clients can connect; SIGHUP reloads the files. mosquitto_pub / mosquitto_sub log in with -u -P.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep, waitFor } from "../helpers/broker.ts";
import { makeAuthFiles, USERS } from "./fixtures.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const main = join(root, "src/main.ts");
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** A running CLI: its output so far, the port from its ready line, a stop that waits for exit. */
function startCli(args: string[]) {
  // --memory: these tests are about access control; nothing goes to ./data (test/storage/ covers it).
  const argv = isDeno ? ["run", "-A", "--no-check", main, "--memory", ...args] : ["run", main, "--memory", ...args];
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "", code: null as number | null, exited: false };
  child.stdout!.on("data", (d) => (out.stdout += String(d)));
  child.stderr!.on("data", (d) => (out.stderr += String(d)));
  const exited = new Promise<void>((r) => child.on("exit", (code) => {
    out.code = code;
    out.exited = true;
    r();
  }));
  const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return {
    out,
    exited: exited.then(() => clearTimeout(guard)),
    signal: (sig: NodeJS.Signals) => process.kill(child.pid!, sig),
    async ready(): Promise<number> {
      await waitFor(() => /listening on/.test(out.stdout) || out.exited, "ready line", 15_000);
      const m = /listening on [\d.]+:(\d+)/.exec(out.stdout);
      if (m === null) throw new Error(`no ready line: ${out.stderr}`);
      return Number(m[1]);
    },
    async stop(): Promise<void> {
      if (!out.exited) process.kill(child.pid!, "SIGTERM");
      await exited;
      clearTimeout(guard);
    },
  };
}

test("a broken password or ACL file at start: one line naming FILE:LINE, exit 2", async () => {
  const files = makeAuthFiles();
  try {
    writeFileSync(files.aclFile, "user a\ntopic rw x\ntopic read y z\n");
    const conf = join(files.dir, "vireo.json");
    writeFileSync(conf, JSON.stringify({ aclFile: files.aclFile, warmupMessages: 0 }));
    const cli = startCli(["-c", conf, "--port", "0"]);
    await cli.exited;
    assert.equal(cli.out.code, 2);
    assert.equal(cli.out.stderr.trim().split("\n").length, 1);
    assert.match(cli.out.stderr, new RegExp(`^vireo: ${files.aclFile}:2: unknown access "rw"`));
    writeFileSync(files.passwordFile, "alice:$7$101$bad\n");
    writeFileSync(conf, JSON.stringify({ passwordFile: files.passwordFile, warmupMessages: 0 }));
    const cli2 = startCli(["-c", conf, "--port", "0"]);
    await cli2.exited;
    assert.equal(cli2.out.code, 2);
    assert.match(cli2.out.stderr, new RegExp(`^vireo: ${files.passwordFile}:1: user "alice": `));
  } finally {
    files.remove();
  }
});

test("no authentication: 127.0.0.1 only, said in the ready line; --host 0.0.0.0 warns about anonymous clients", async () => {
  const files = makeAuthFiles();
  try {
    const conf = join(files.dir, "w.json");
    writeFileSync(conf, JSON.stringify({ warmupMessages: 0 }));
    const local = startCli(["-c", conf, "--port", "0"]);
    await local.ready();
    assert.match(local.out.stdout, /^vireo listening on 127\.0\.0\.1:\d+ \(mqtt\) - loopback only: no authentication configured/m);
    await local.stop();
    const open = startCli(["-c", conf, "--port", "0", "--host", "0.0.0.0"]);
    await open.ready();
    assert.match(open.out.stdout, /^vireo listening on 0\.0\.0\.0:\d+ \(mqtt\)$/m);
    assert.match(open.out.stderr, /warning: anonymous clients can connect from any address/);
    await open.stop();
  } finally {
    files.remove();
  }
});

test("mosquitto_pub / mosquitto_sub -u -P against the CLI; SIGHUP reloads the ACL (a broken one keeps the old rules)", async () => {
  const files = makeAuthFiles();
  const conf = join(files.dir, "vireo.json");
  writeFileSync(conf, JSON.stringify({ passwordFile: files.passwordFile, aclFile: files.aclFile, warmupMessages: 0 }));
  const cli = startCli(["-c", conf, "--port", "0", "--host", "127.0.0.1"]);
  let sub: ReturnType<typeof spawn> | null = null;
  try {
    const port = String(await cli.ready());
    const pub = (user: string, pass: string, topic: string) =>
      spawnSync("mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-u", user, "-P", pass, "-t", topic, "-m", `to ${topic}`, "-q", "1"], { encoding: "utf8", timeout: 10_000 });
    const bad = pub("alice", "wrong", "alice/x");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /bad user name or password/i);
    const anon = spawnSync("mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-t", "public/x", "-m", "x"], { encoding: "utf8", timeout: 10_000 });
    assert.notEqual(anon.status, 0);
    assert.match(anon.stderr, /not authori[sz]ed/i);
    // bob ($6$) reads alice/#; alice ($7$) publishes there and to bob/x (denied, never delivered).
    let got = "";
    sub = spawn("mosquitto_sub", ["-h", "127.0.0.1", "-p", port, "-u", "bob", "-P", USERS.bob, "-t", "#", "-v", "-q", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    sub.stdout!.on("data", (d) => (got += String(d)));
    await sleep(300); // subscribed
    assert.equal(pub("alice", USERS.alice, "bob/x").status, 0); // 3.1.1: plain PUBACK, dropped
    assert.equal(pub("alice", USERS.alice, "alice/x").status, 0);
    await waitFor(() => got.includes("alice/x"), "bob receives alice/x", 5000);
    assert.equal(got, "alice/x to alice/x\n");
    // Reload with a rule letting alice write bob/#.
    writeFileSync(files.aclFile, "user alice\ntopic write bob/#\nuser bob\ntopic read #\n");
    cli.signal("SIGHUP");
    await waitFor(() => /reloaded/.test(cli.out.stderr), "reload message", 5000);
    assert.equal(pub("alice", USERS.alice, "bob/y").status, 0);
    await waitFor(() => got.includes("bob/y"), "bob receives bob/y after the reload", 5000);
    writeFileSync(files.aclFile, "user alice\ntopic write alice/#\nnonsense\n");
    cli.signal("SIGHUP");
    await waitFor(() => /reload: .*acl:3: unknown keyword "nonsense".*\(previous rules kept\)/.test(cli.out.stderr), "reload error", 5000);
    assert.equal(pub("alice", USERS.alice, "bob/z").status, 0);
    await waitFor(() => got.includes("bob/z"), "old rules still in force", 5000);
  } finally {
    if (sub !== null && sub.exitCode === null) {
      sub.kill("SIGTERM");
      await new Promise((r) => sub!.once("exit", r));
    }
    await cli.stop();
    files.remove();
  }
});

test("the same mosquitto.conf (listener, password_file, acl_file; allow_anonymous false by default) works unchanged", async () => {
  const files = makeAuthFiles();
  const conf = join(files.dir, "mosquitto.conf");
  writeFileSync(conf, `listener 0 127.0.0.1\npassword_file ${files.passwordFile}\nacl_file ${files.aclFile}\n`);
  const cli = startCli(["-c", conf]);
  try {
    const port = String(await cli.ready());
    const pub = (args: string[]) =>
      spawnSync("mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-t", "alice/x", "-m", "x", "-q", "1", ...args], { encoding: "utf8", timeout: 10_000 });
    assert.equal(pub(["-u", "alice", "-P", USERS.alice]).status, 0);
    const anon = pub([]);
    assert.notEqual(anon.status, 0);
    assert.match(anon.stderr, /not authori[sz]ed/i);
    assert.doesNotMatch(cli.out.stderr, /warning/); // a password file: no "every client refused" warning
  } finally {
    await cli.stop();
    files.remove();
  }
});
