// The CLI with several listeners: one ready line per listener, clients on each, SIGHUP re-reads the
// TLS files while connections stay up, SIGTERM exits 0; a key not matching its certificate is one
// line naming the file and exit 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientPool } from "../helpers/mqtt.ts";
import { sleep } from "../helpers/broker.ts";
import { runCli } from "../helpers/run_cli.ts";
import { cert, serverCn } from "./certs.ts";

const ca = readFileSync(cert("ca.crt"));


test("CLI: a ready line per listener, clients on each, SIGHUP reloads the certificate, SIGTERM exits 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-cli-listeners-"));
  try {
    copyFileSync(cert("server.crt"), join(dir, "s.crt"));
    copyFileSync(cert("server.key"), join(dir, "s.key"));
    const tls = { certfile: join(dir, "s.crt"), keyfile: join(dir, "s.key") };
    writeFileSync(join(dir, "vireo.json"), JSON.stringify({
      warmupMessages: 0,
      listeners: [
        { host: "127.0.0.1", port: 0, protocol: "mqtt" },
        { host: "127.0.0.1", port: 0, protocol: "mqtts", tls },
        { host: "127.0.0.1", port: 0, protocol: "ws" },
      ],
    }));
    const ports: Record<string, number> = {};
    const pool = new ClientPool(0);
    let checks: Promise<void> = Promise.resolve();
    let cnAfterHup = "";
    const r = await runCli(["-c", join(dir, "vireo.json")], (line, kill) => {
      const m = /^vireo listening on 127\.0\.0\.1:(\d+) \((\w+)\)$/.exec(line);
      if (m === null) return;
      ports[m[2]] = Number(m[1]);
      if (Object.keys(ports).length < 3) return;
      checks = (async () => {
        await pool.connect({ port: ports.mqtt, clientId: "tcp" });
        const early = await pool.connect({ protocol: "mqtts", host: "localhost", port: ports.mqtts, ca, clientId: "tls" });
        await pool.connect({ protocol: "ws", port: ports.ws, clientId: "ws" });
        copyFileSync(cert("server2.crt"), join(dir, "s.crt"));
        copyFileSync(cert("server2.key"), join(dir, "s.key"));
        kill("SIGHUP");
        for (let i = 0; i < 100 && cnAfterHup !== "renewed.localhost"; i++) {
          // On Bun the reload re-binds the TLS port: a handshake in that instant is refused or reset
          // (README, listeners: known gap), so a failed probe is retried, not a failure.
          cnAfterHup = await serverCn(ports.mqtts).catch(() => cnAfterHup);
          await sleep(20);
        }
        assert.equal(early.connected, true, "the open TLS connection stayed up");
        kill("SIGTERM");
      })().catch((err) => {
        kill("SIGKILL");
        throw err;
      });
    });
    await checks;
    await pool.endAll();
    assert.deepEqual(r.stdout.trim().split("\n").map((l) => l.replace(/:\d+ /, ":P ")), [
      "vireo listening on 127.0.0.1:P (mqtt)", "vireo listening on 127.0.0.1:P (mqtts)", "vireo listening on 127.0.0.1:P (ws)",
    ]);
    assert.equal(cnAfterHup, "renewed.localhost");
    assert.equal(r.code, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("CLI: a key that does not match its certificate is one line naming the file, exit 2", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vireo-cli-badkey-"));
  try {
    writeFileSync(join(dir, "vireo.json"), JSON.stringify({
      warmupMessages: 0,
      listeners: [{ host: "127.0.0.1", port: 0, protocol: "mqtts", tls: { certfile: cert("server.crt"), keyfile: cert("mismatched.key") } }],
    }));
    const r = await runCli(["-c", join(dir, "vireo.json")]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /keyfile .*mismatched\.key does not match certfile .*server\.crt/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
