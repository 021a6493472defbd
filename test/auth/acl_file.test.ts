// Mosquitto's ACL file: parsing (FILE:LINE errors) and Mosquitto 2.0's decisions (security_default.c):
// anonymous rules, user rules, %u/%c patterns, deny first, $ topics, wildcard names; SUBSCRIBE answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AclFile } from "../../src/auth/acl_file.ts";
import { covers, matches, overlaps } from "../../src/auth/topic_match.ts";
import { ConfigError } from "../../src/config/validate.ts";

const FILE = `# anonymous
topic read public/#
topic deny public/secret

user alice
topic readwrite alice/#
topic write log/alice
topic deny alice/private/#
topic $SYS/broker/#

user bob
topic read shared/+
topic readwrite with space/x

pattern readwrite devices/%u/%c/#
pattern read clients/%c
pattern deny devices/mallory/#
`;
const acl = AclFile.parse(FILE, "acl");
const anon = (clientId = "c1") => ({ username: undefined, clientId });
const user = (username: string, clientId = "c1") => ({ username, clientId });
const R = 1, W = 2;

test("anonymous clients: the rules before any user line, deny first, plus patterns without %u", () => {
  assert.equal(acl.check(anon(), "public/news", R), true);
  assert.equal(acl.check(anon(), "public", R), true); // '#' matches the parent level
  assert.equal(acl.check(anon(), "public/news", W), false);
  assert.equal(acl.check(anon(), "public/secret", R), false); // deny wins though listed after
  assert.equal(acl.check(anon("c1"), "clients/c1", R), true); // %c pattern applies to anonymous
  assert.equal(acl.check(anon("c1"), "clients/c2", R), false);
  assert.equal(acl.check(anon("c1"), "devices/%u/c1/x", R), false); // %u patterns never apply to anonymous
  assert.equal(acl.check(anon(), "other", R), false); // nothing matches: denied
});

test("users: their own rules then the patterns; the first match decides; $ needs a $ rule", () => {
  assert.equal(acl.check(user("alice"), "alice/a/b", W), true);
  assert.equal(acl.check(user("alice"), "alice/private/x", R), false);
  assert.equal(acl.check(user("alice"), "log/alice", W), true);
  assert.equal(acl.check(user("alice"), "log/alice", R), false);
  assert.equal(acl.check(user("alice"), "public/news", R), false); // anonymous rules are not hers
  assert.equal(acl.check(user("alice"), "$SYS/broker/uptime", R), true);
  assert.equal(acl.check(user("bob"), "$SYS/broker/uptime", R), false);
  assert.equal(acl.check(user("bob"), "shared/x", R), true);
  assert.equal(acl.check(user("bob"), "shared/x", W), false);
  assert.equal(acl.check(user("bob"), "with space/x", W), true); // a filter may contain spaces
  assert.equal(acl.check(user("carol", "k"), "devices/carol/k/t", W), true); // no user block: patterns only
  assert.equal(acl.check(user("carol", "k"), "devices/carol/other/t", W), false);
  assert.equal(acl.check(user("mallory", "m"), "devices/mallory/m/t", W), false); // pattern deny first
  assert.equal(acl.check(user("eve+", "k"), "clients/k", R), false); // '+' in a name: patterns deny all
  assert.equal(acl.check(user("eve", "k#"), "clients/k#", R), false);
});

test("SUBSCRIBE: granted when a read rule overlaps the filter, refused when a deny covers it or nothing overlaps", () => {
  assert.equal(acl.maySubscribe(anon(), "public/#"), true);
  assert.equal(acl.maySubscribe(anon(), "#"), true); // overlaps public/#; deliveries are still checked
  assert.equal(acl.maySubscribe(anon(), "public/secret"), false);
  assert.equal(acl.maySubscribe(anon(), "private/#"), false);
  assert.equal(acl.maySubscribe(user("alice"), "alice/private/+"), false);
  assert.equal(acl.maySubscribe(user("alice"), "alice/+"), true);
  assert.equal(acl.maySubscribe(user("alice"), "log/alice"), false); // write only
  assert.equal(acl.maySubscribe(user("bob"), "$SYS/#"), false);
  assert.equal(acl.maySubscribe(user("alice"), "$SYS/#"), true);
  assert.equal(acl.maySubscribe(user("carol", "k"), "devices/carol/k/#"), true);
  assert.equal(acl.maySubscribe(user("mallory", "m"), "devices/mallory/m/#"), false);
});

test("readsAll: yes only when every topic the filter matches is readable (then deliveries skip the check)", () => {
  assert.equal(acl.readsAll(anon(), "public/news/+"), true);
  assert.equal(acl.readsAll(anon(), "public/#"), false); // public/secret is denied
  assert.equal(acl.readsAll(anon(), "#"), false); // only partly readable: each delivery is checked
  assert.equal(acl.readsAll(anon("c1"), "clients/c1"), true); // a %c pattern
  assert.equal(acl.readsAll(user("alice"), "alice/a/#"), true);
  assert.equal(acl.readsAll(user("alice"), "alice/+/x"), false); // alice/private/x is denied
  assert.equal(acl.readsAll(user("alice"), "log/alice"), false); // write only
  assert.equal(acl.readsAll(user("alice"), "$SYS/broker/+"), true);
  assert.equal(acl.readsAll(user("carol", "k"), "devices/carol/k/#"), true);
  assert.equal(acl.readsAll(user("mallory", "m"), "devices/mallory/m/#"), false); // the pattern deny
  assert.equal(acl.readsAll(user("eve+", "k"), "clients/k"), false); // a wildcard name: patterns deny all
});

test("readsAll never says yes where check() denies a topic the filter matches (random ACLs, every short topic)", () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const words = ["a", "b", "$s", "u1", "c1"];
  const topics: string[][] = [[]];
  for (let depth = 0; depth < 3; depth++) for (const t of [...topics]) if (t.length === depth) for (const w of words) topics.push([...t, w]);
  const names = topics.filter((t) => t.length > 0 && !t.slice(1).includes("$s")).map((t) => t.join("/"));
  const randomFilter = (patterns: boolean) => {
    const levels: string[] = [];
    for (let n = 1 + rnd(3), i = 0; i < n; i++) levels.push(["a", "b", "$s", "+", "#", patterns ? "%u" : "u1", patterns ? "%c" : "c1"][rnd(7)]);
    const hash = levels.indexOf("#");
    return (hash >= 0 ? levels.slice(0, hash + 1) : levels).join("/");
  };
  const access = ["read", "write", "readwrite", "deny"];
  let yes = 0;
  for (let file = 0; file < 60; file++) {
    const lines: string[] = [];
    for (let i = rnd(3); i > 0; i--) lines.push(`topic ${access[rnd(4)]} ${randomFilter(false)}`);
    lines.push("user u1");
    for (let i = rnd(4); i > 0; i--) lines.push(`topic ${access[rnd(4)]} ${randomFilter(false)}`);
    for (let i = rnd(3); i > 0; i--) lines.push(`pattern ${access[rnd(4)]} ${randomFilter(true)}`);
    const a = AclFile.parse(lines.join("\n"), "random");
    for (const who of [anon("c1"), user("u1", "c1"), user("u2", "c1")]) {
      for (let f = 0; f < 40; f++) {
        const filter = randomFilter(false);
        if (!a.readsAll(who, filter)) continue;
        yes++;
        for (const t of names) {
          if (matches(filter.split("/"), t.split("/"))) assert.equal(a.check(who, t, R), true, `${lines.join("; ")} | ${who.username} ${filter} -> ${t}`);
        }
      }
    }
  }
  assert.ok(yes > 100, `only ${yes} filters were wholly readable: the test checks too little`);
});

test("AclFile.parse: Mosquitto's syntax, and one error naming FILE:LINE for a broken line", () => {
  const a = AclFile.parse("topic x/y\nuser u\ntopic read a\nuser u\ntopic write b\n", "f");
  assert.deepEqual(a.anonymous!.map((r) => [r.filter, r.access]), [["x/y", 3]]); // no access word: readwrite
  assert.deepEqual(a.users.get("u")!.map((r) => r.filter), ["a", "b"]); // a repeated user adds rules
  const cases: Array<[string, RegExp]> = [
    ["topic", /^f:2: "topic" needs a topic filter$/],
    ["topic readonly a/b", /^f:2: unknown access "readonly"/],
    ["topic read a/#/b", /^f:2: invalid topic filter "a\/#\/b"$/],
    ["pattern read a+", /^f:2: invalid topic filter "a\+"$/],
    ["user", /^f:2: "user" needs a user name$/],
    ["allow x", /^f:2: unknown keyword "allow"/],
  ];
  for (const [line, re] of cases) {
    assert.throws(() => AclFile.parse(`topic ok\n${line}\n`, "f"), (e: unknown) => e instanceof ConfigError && re.test(e.message), line);
  }
  assert.throws(() => AclFile.load("/nonexistent/acl"), (e: unknown) => e instanceof ConfigError && /cannot read ACL file/.test(e.message));
});

test("filter relations: matches, covers, overlaps (with the $ rule)", () => {
  const l = (s: string) => s.split("/");
  assert.equal(matches(l("a/+/c"), l("a/b/c")), true);
  assert.equal(matches(l("#"), l("$SYS/x")), false);
  assert.equal(covers(l("a/#"), l("a/+/c")), true);
  assert.equal(covers(l("a/+"), l("a/#")), false);
  assert.equal(covers(l("a/#"), l("a")), true);
  assert.equal(overlaps(l("a/+"), l("+/b")), true);
  assert.equal(overlaps(l("a/b"), l("a/c")), false);
  assert.equal(overlaps(l("a/#"), l("a")), true);
  assert.equal(overlaps(l("#"), l("$SYS/#")), false);
});
