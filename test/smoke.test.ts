import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiateSync } from "../src/wasm/loader.ts";
import { TOPICS_WASM_BASE64 } from "../src/wasm/generated/topics_wasm.ts";

test("embedded wasm loads without file-system access", () => {
  const inst = instantiateSync(TOPICS_WASM_BASE64);
  assert.equal(typeof inst.exports.memory, "object");
});
