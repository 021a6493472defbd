/**
 * The access-control cases' files, the same for Vireo and Mosquitto: a Mosquitto password file
 * with USERS users (`$7$`, PBKDF2-HMAC-SHA512 with mosquitto_passwd's 101 iterations, one password
 * for all) and an ACL with ten rules per user, patterns included, whose rule for the load
 * generator's topics (`vl/#`) comes late in each user's list, so a decision walks most of it.
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Users in the files; vload's connection i logs in as `user<i % USERS>`. */
export const USERS = 1000;
/** Every bench user's password. */
export const PASSWORD = "bench-password";
/** vload flags that log each connection in as one of the users. */
export const LOGIN_ARGS = ["--username", "user", "--password", PASSWORD, "--users", String(USERS)];

/** Paths of the written files. */
export interface AccessFiles {
  passwordFile: string;
  aclFile: string;
}

/** The ACL text: per user ten rules (one deny, the vl/# grant ninth), plus five patterns. */
export function aclText(users = USERS): string {
  const lines = ["# vireo bench: the same ACL for Vireo and Mosquitto",
    "pattern readwrite dev/%c/#", "pattern read clients/%u/#", "pattern write up/%u/+/data",
    "pattern deny dev/%c/admin/#", "pattern read vl/notice/%u"];
  for (let u = 0; u < users; u++) {
    lines.push(`user user${u}`, `topic read t/${u}/+/status`, `topic write t/${u}/cmd/#`, `topic deny t/${u}/secret`,
      `topic readwrite home/${u}/#`, `topic read fleet/+/${u}`, `topic write logs/${u}`, `topic readwrite a/${u}/b/+/c`,
      `topic read shared/#`, "topic readwrite vl/#", `topic write ingest/${u}/+`);
  }
  return `${lines.join("\n")}\n`;
}

/** One `$7$` password line, as mosquitto_passwd writes it. */
function passwordLine(user: string, iterations = 101): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(PASSWORD, salt, iterations, 64, "sha512");
  return `${user}:$7$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** Writes both files into `dir` (world-readable: Mosquitto reads them after dropping root). */
export function writeAccessFiles(dir: string): AccessFiles {
  const out = { passwordFile: join(dir, "bench.passwd"), aclFile: join(dir, "bench.acl") };
  const pw: string[] = [];
  for (let u = 0; u < USERS; u++) pw.push(passwordLine(`user${u}`));
  writeFileSync(out.passwordFile, `${pw.join("\n")}\n`, { mode: 0o644 });
  writeFileSync(out.aclFile, aclText(), { mode: 0o644 });
  return out;
}
