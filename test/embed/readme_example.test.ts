// The README's codec snippet is examples/codec_roundtrip.mjs as it is (runtimes.test.ts runs the file on
// Node, Bun and Deno), and the output the README shows is what the file prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

test("README shows examples/codec_roundtrip.mjs verbatim, and the line it prints", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const example = readFileSync(join(root, "examples/codec_roundtrip.mjs"), "utf8");
  assert.ok(readme.includes("```js\n" + example + "```\n"), "the README's codec block differs from the example file");
  const shown = /^It prints .*\n\n```text\n(.*)\n```$/m.exec(readme);
  assert.ok(shown !== null, "the README shows no output line after the example");
  assert.deepEqual(JSON.parse(shown[1]), {
    bytes: 25, framesAfterFirstHalf: 0, needed: 0, topic: "sensors/42/temp", payload: "21.5", qos: 1, retain: true,
  });
});
