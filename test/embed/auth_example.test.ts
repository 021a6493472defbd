// The README's `authenticate` example (examples/authenticate.ts) runs as is on the test's runtime and
// prints what the README says; the README shows the file verbatim.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runEntry } from "../helpers/cli.ts";

const OUTPUT = [
  "connected: sensor-1 from 127.0.0.1",
  'password "s3cret": accepted',
  'password "wrong": refused (Connection refused: Bad User Name or Password)',
];

test("examples/authenticate.ts: the right password connects, a wrong one is refused with 0x86", async () => {
  const r = await runEntry("examples/authenticate.ts", []);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split("\n"), OUTPUT);
});

test("README shows examples/authenticate.ts verbatim, followed by its output", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const example = readFileSync(join(ROOT, "examples/authenticate.ts"), "utf8");
  assert.ok(readme.includes("```ts\n" + example + "```\n\n```text\n" + OUTPUT.join("\n") + "\n```\n"),
    "the README's authenticate block or its output differs from examples/authenticate.ts");
});
