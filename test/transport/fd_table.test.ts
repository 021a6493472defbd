import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync } from "node:fs";
import process from "node:process";
import { reserveDescriptorTable } from "../../src/transport/fd_table.ts";

test("fd table: reserving grows the table once and leaves no descriptor open", () => {
  const probe = () => {
    const fd = openSync("/dev/null", "r");
    closeSync(fd);
    return fd;
  };
  const lowest = probe();
  // Far above anything a test process reaches otherwise, so this call is the one that reserves.
  const highest = reserveDescriptorTable(40_000);
  if (process.platform === "linux") {
    // Up to half the target (the kernel rounds the table up to a power of two), or the fd limit.
    assert.ok(highest >= Math.min(20_000, 900), `reached fd ${highest}`);
  } else {
    assert.equal(highest, 0);
  }
  // ≤, not =: another test's socket may close meanwhile and free a lower descriptor; a leak of
  // the reservation's own descriptors (it opens from `lowest` upwards) would push this above it.
  assert.ok(probe() <= lowest, "every descriptor opened for the reservation was closed again");
  assert.equal(reserveDescriptorTable(40_000), 0, "a second reservation of the same size does nothing");
  assert.equal(reserveDescriptorTable(100), 0, "nor does a smaller one");
});
