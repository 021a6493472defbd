// The codec is a product of its own: the README's example must run unchanged on Node 20 (the bundled
// dist/codec.js), Bun and Deno (the TypeScript sources), loading the WASM with no file-system access.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const example = join(root, "examples/codec_roundtrip.mjs");
const bin = (name: string) => join(root, "node_modules/.bin", name);

const RUNTIMES: Array<[string, string, string[]]> = [
  ["node", "node", [example]],
  ["bun", bin("bun"), ["run", example]],
  ["deno", bin("deno"), ["run", "--no-check", "--allow-read", "--allow-env", example]],
];

for (const [name, cmd, args] of RUNTIMES) {
  test(`codec example round-trips a PUBLISH on ${name}`, () => {
    if (name === "node") assert.ok(existsSync(join(root, "dist/codec.js")), "dist/codec.js is built by npm install");
    const res = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 60_000 });
    assert.equal(res.status, 0, res.stderr);
    const out = JSON.parse(res.stdout.trim().split("\n").pop()!);
    assert.deepEqual(out, {
      bytes: 2 + 2 + 15 + 2 + 4, framesAfterFirstHalf: 0, needed: 0,
      topic: "sensors/42/temp", payload: "21.5", qos: 1, retain: true,
    });
  });
}
