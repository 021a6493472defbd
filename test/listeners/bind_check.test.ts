// A port already in use: the CLI says so (the OS reason) and exits 2 before spending its warm-up;
// listen errors are worded from their errno code on both runtimes.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkCanListen, listenError } from "../../src/listeners/bind_check.ts";
import { runEntry } from "../helpers/cli.ts";

/** A listener on 127.0.0.1 holding a free port; closed by the caller. */
async function squatter(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test("port in use: 'address already in use' and exit 2, before the warm-up", async () => {
  const held = await squatter();
  const dir = mkdtempSync(join(tmpdir(), "vireo-bind-"));
  try {
    // The largest warm-up runs into its 5 s cap: exiting within 2.5 s of a plain start-up (--help
    // loads the same modules) means it did not wait for the warm-up.
    const conf = join(dir, "vireo.json");
    writeFileSync(conf, JSON.stringify({ warmupMessages: 10_000_000 }));
    const startup = (await runEntry("src/main.ts", ["--help"])).ms;
    const r = await runEntry("src/main.ts", ["-c", conf, "--host", "127.0.0.1", "--port", String(held.port)]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim(), `vireo: cannot listen on 127.0.0.1:${held.port}: address already in use (EADDRINUSE)`);
    assert.equal(r.stdout, "");
    assert.ok(r.ms < startup + 2500, `exited after ${r.ms} ms (--help: ${startup} ms): the warm-up ran first`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await held.close();
  }
});

test("checkCanListen: a held port is refused with its code; a free one is bound and released", async () => {
  const held = await squatter();
  try {
    await assert.rejects(checkCanListen([{ host: "127.0.0.1", port: held.port }]),
      (e: Error & { code?: string }) => e.name === "ListenError" && e.code === "EADDRINUSE");
  } finally {
    await held.close();
  }
  // Now free: the probe binds it and lets it go, so a second probe (or the real listen) succeeds.
  await checkCanListen([{ host: "127.0.0.1", port: held.port }, { host: "127.0.0.1", port: 0 }]);
  await checkCanListen([{ host: "127.0.0.1", port: held.port }]);
});

test("listenError words an errno code, keeps an unknown error's message, brackets IPv6 hosts", () => {
  const inUse = Object.assign(new Error("Failed to listen at 127.0.0.1"), { code: "EADDRINUSE" });
  assert.equal(listenError("127.0.0.1", 1883, inUse).message, "cannot listen on 127.0.0.1:1883: address already in use (EADDRINUSE)");
  assert.equal(listenError("::1", 80, Object.assign(new Error("x"), { code: "EACCES" })).message,
    "cannot listen on [::1]:80: permission denied (ports below 1024 need privileges) (EACCES)");
  assert.equal(listenError("h", 1, new Error("something odd")).message, "cannot listen on h:1: something odd");
});
