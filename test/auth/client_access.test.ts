// Access entries by subscriber id: a client's answers are cached and dropped on reload; the warm-up's
// entry (a ClientAccess on AccessControl.allowAll) and null allow everything; an unknown entry is denied;
// an ended session's id starts unknown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessControl } from "../../src/auth/access_control.ts";
import { allowedByName, ClientAccess, readAllowed, readsFree, writeAllowed } from "../../src/auth/client_access.ts";
import { topicHash } from "../../src/auth/topic_verdicts.ts";
import { SessionRegistry } from "../../src/session/registry.ts";

const enc = new TextEncoder();

/** Runs `body` with an anonymous client's ClientAccess under an ACL file holding `text`; `rewrite` replaces the file. */
function withAcl(text: string, body: (a: ClientAccess, control: AccessControl, rewrite: (t: string) => void) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "vireo-ca-"));
  try {
    const acl = join(dir, "acl");
    writeFileSync(acl, text);
    const control = AccessControl.load({ passwordFile: "", aclFile: acl, allowAnonymous: true, hooks: {} })!;
    body(new ClientAccess(control, undefined, "c"), control, (t) => writeFileSync(acl, t));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("ClientAccess: answers by bytes and by name agree, survive until a reload, and entries null / undefined mean allowed / denied", () => {
  withAcl("topic write a/#\ntopic read r/#\n", (a, control, rewrite) => {
    const t = enc.encode("xa/b"), r = enc.encode("r/1");
    assert.equal(writeAllowed(a, t, 1, 3), true);
    assert.equal(writeAllowed(a, t, 1, 3), true); // the publisher's last topic
    assert.equal(readAllowed(a, t, 1, 3, topicHash(t, 1, 3)), false);
    assert.equal(readAllowed(a, r, 0, 3, topicHash(r, 0, 3)), true);
    assert.equal(allowedByName(a, "write", "a/b"), true);
    assert.equal(allowedByName(a, "subscribe", "r/#"), true);
    assert.equal(writeAllowed(null, t, 1, 3), true);
    assert.equal(writeAllowed(undefined, t, 1, 3), false);
    assert.equal(readAllowed(undefined, r, 0, 3, 0), false);
    assert.equal(allowedByName(undefined, "read", "r/1"), false);
    rewrite("topic read a/#\n");
    assert.deepEqual(control.reload(), []);
    assert.equal(writeAllowed(a, t, 1, 3), false); // cached "yes" dropped with the reload
    assert.equal(readAllowed(a, t, 1, 3, topicHash(t, 1, 3)), true);
  });
});

test("readsFree: on while every filter of the session is wholly readable; a partly readable one, or a reload until the review, turns it off", () => {
  withAcl("topic read r/#\ntopic deny r/secret\n", (a, control, rewrite) => {
    assert.equal(readsFree(a), false); // not reviewed yet: every delivery is checked
    a.reviewReads(["r/+/x"]);
    assert.equal(readsFree(a), true);
    a.subscribed("r/#"); // r/secret is denied within it
    assert.equal(readsFree(a), false);
    a.subscribed("$share/g/r/a");
    assert.equal(readsFree(a), false);
    a.unsubscribed("r/#");
    assert.equal(readsFree(a), true);
    rewrite("topic deny r/a\ntopic read r/#\n");
    assert.deepEqual(control.reload(), []);
    assert.equal(readsFree(a), false); // the new rules: checked again until reviewed
    a.subscribed("r/b");
    assert.equal(readsFree(a), false); // a subscribe alone does not review the others
    a.reviewReads(["r/+/x", "r/b"]);
    assert.equal(readsFree(a), true);
    a.reviewReads(["r/+/x", "r/b", "$share/g/r/a"]); // the share now reads a denied topic
    assert.equal(readsFree(a), false);
    assert.equal(readsFree(null), true);
    assert.equal(readsFree(undefined), false);
  });
});

test("SessionRegistry: an ended session's access entry is cleared, so its recycled id starts unknown (denied)", () => {
  const reg = new SessionRegistry({} as ConstructorParameters<typeof SessionRegistry>[0]); // create / remove touch no context
  reg.gated = true;
  const s = reg.create("one");
  reg.access[s.sid] = null;
  reg.remove(s);
  const t = reg.create("two");
  assert.equal(t.sid, s.sid);
  assert.equal(reg.access[t.sid], undefined);
});

test("ClientAccess on AccessControl.allowAll (the warm-up's clients): every publish, delivery and subscription allowed, through the cached paths", () => {
  const a = new ClientAccess(AccessControl.allowAll, undefined, "$vireo-warmup-1");
  const t = enc.encode("$vireo/warmup"), s = enc.encode("$SYS/x");
  for (let i = 0; i < 2; i++) { // the second round answers from the caches
    assert.equal(writeAllowed(a, t, 0, t.length), true);
    assert.equal(readAllowed(a, t, 0, t.length, topicHash(t, 0, t.length)), true);
    assert.equal(readAllowed(a, s, 0, s.length, topicHash(s, 0, s.length)), true);
  }
  assert.equal(allowedByName(a, "subscribe", "#"), true);
  assert.equal(allowedByName(a, "write", "any/topic"), true);
  assert.equal(AccessControl.allowAll.gatesTopics, false);
});
