// Mosquitto's password file: entries written by Debian's mosquitto_passwd ($6$ and $7$) verify,
// wrong passwords do not, and a broken line is one ConfigError naming FILE:LINE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatHash, PasswordFile, parseHash } from "../../src/auth/password_file.ts";
import { ConfigError } from "../../src/config/validate.ts";

const enc = new TextEncoder();

function withDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "vireo-pw-"));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("entries made by mosquitto_passwd ($7$ default, $6$ with -H sha512) verify; wrong ones do not", async () => {
  const text = withDir((dir) => {
    const f = join(dir, "pw");
    execFileSync("mosquitto_passwd", ["-c", "-b", f, "alice", "s3cret"]);
    execFileSync("mosquitto_passwd", ["-H", "sha512", "-b", f, "bob", "hunter2"]);
    execFileSync("mosquitto_passwd", ["-I", "1000", "-b", f, "carol", "pässwörd"]);
    return readFileSync(f, "utf8");
  });
  assert.match(text, /^alice:\$7\$101\$/m);
  assert.match(text, /^bob:\$6\$/m);
  const pf = PasswordFile.parse(text, "pw");
  assert.equal(pf.users.get("alice")!.kind, 7);
  assert.equal(pf.users.get("alice")!.iterations, 101);
  assert.equal(pf.users.get("carol")!.iterations, 1000);
  assert.equal(pf.users.get("bob")!.kind, 6);
  assert.equal(await pf.verify("alice", enc.encode("s3cret")), true);
  assert.equal(await pf.verify("alice", enc.encode("s3cret")), true); // cached
  assert.equal(await pf.verify("alice", enc.encode("s3cret!")), false);
  assert.equal(await pf.verify("bob", enc.encode("hunter2")), true);
  assert.equal(await pf.verify("bob", enc.encode("hunter3")), false);
  assert.equal(await pf.verify("carol", enc.encode("pässwörd")), true);
  assert.equal(await pf.verify("dave", enc.encode("s3cret")), false);
  assert.equal(await pf.verify("bob", enc.encode("s3cret")), false); // another user's password
  // The stored form round-trips byte for byte.
  const line = text.split("\n").find((l) => l.startsWith("alice:"))!;
  assert.equal(formatHash(pf.users.get("alice")!), line.slice("alice:".length));
});

test("a broken line is a ConfigError naming FILE:LINE", () => {
  const good = "u:$6$36gCCtIgoon8gSrk$wSvRBA+rQmWILj7nBYQSmTWRI86RrnCz/kIEB+W15Y5V/Ly62YqnkvFDiRGZLswZoAoMLQIER44NJZxRncWu1A==";
  assert.equal(PasswordFile.parse(`# comment\n\n${good}\n`, "f").users.size, 1);
  const cases: Array<[string, RegExp]> = [
    ["nocolon", /^f:2: expected user:hash$/],
    ["v:plaintext", /^f:2: user "v": hash must start/],
    ["v:$5$abc$def", /^f:2: user "v": hash must be/],
    ["v:$7$0$36gCCtIgoon8gSrk$x", /^f:2: user "v": bad iteration count "0"$/],
    ["v:$6$c2FsdA==$wSvRBA==", /^f:2: user "v": salt must be base64 of 12 bytes$/],
    ["v:$6$36gCCtIgoon8gSrk$wSvRBA==", /^f:2: user "v": hash must be base64 of 64 bytes$/],
    [good, /^f:2: user "u" appears twice$/],
  ];
  for (const [line, re] of cases) {
    assert.throws(() => PasswordFile.parse(`${good}\n${line}\n`, "f"), (e: unknown) => e instanceof ConfigError && re.test(e.message), line);
  }
  assert.throws(() => PasswordFile.load("/nonexistent/pw"), (e: unknown) => e instanceof ConfigError && /^\/nonexistent\/pw: cannot read/.test(e.message));
  assert.equal(typeof parseHash("$6$x$y"), "string");
});
