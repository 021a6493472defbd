/**
 * Mosquitto's ACL file, read unchanged, with Mosquitto 2.0's decisions (src/security_default.c):
 *
 *   topic [read|write|readwrite|deny] FILTER   before any `user` line: anonymous clients' rules;
 *                                              after `user NAME`: that user's rules
 *   user NAME                                  starts NAME's rules (a repeat adds to them)
 *   pattern [read|write|readwrite|deny] FILTER everyone's, with %u (user name) and %c (client id)
 *
 * No access word means readwrite. A client's decision walks its own list (anonymous clients: the
 * anonymous list), then the patterns; within each list deny rules come first; the first rule that
 * matches the topic decides (deny → no; a rule granting the access → yes; a matching rule for the
 * other access → keep looking). Nothing matching → denied. Details Mosquitto also has: a topic
 * starting with '$' is not matched by a user rule that does not start with '$'; a pattern with %u
 * never applies to an anonymous client; while patterns exist a user name or client id containing
 * '+' or '#' is denied everything (it could widen a pattern).
 *
 * Mosquitto allows every SUBSCRIBE and filters deliveries; Vireo also answers SUBSCRIBE
 * (maySubscribe): refused when a deny rule covers the whole filter or no read rule overlaps it.
 */
import { ConfigError, readConfigText } from "../config/validate.ts";
import { covers, matches, overlaps, validFilter } from "./topic_match.ts";

/** Access bits (Mosquitto's MOSQ_ACL_READ / MOSQ_ACL_WRITE; 0 = deny). */
export const Access = { Deny: 0, Read: 1, Write: 2, ReadWrite: 3 } as const;

const ACCESS_WORDS: Record<string, number> = { read: 1, write: 2, readwrite: 3, deny: 0 };

/** One rule: its filter and the access it grants (0 = deny). */
export interface AclRule {
  readonly filter: string;
  readonly levels: readonly string[];
  readonly access: number;
  /** Patterns only: the filter contains %u. */
  readonly usesUser: boolean;
  /** Patterns only: the filter contains %c or %u (needs substitution). */
  readonly substitutes: boolean;
}

/** Who is asking: a client's user name (undefined = anonymous) and client id. */
export interface Principal {
  readonly username: string | undefined;
  readonly clientId: string;
}

function rule(filter: string, access: number): AclRule {
  return {
    filter, levels: filter.split("/"), access,
    usesUser: filter.includes("%u"), substitutes: filter.includes("%u") || filter.includes("%c"),
  };
}

/** Deny rules go to the front of their list, others to the end (Mosquitto's add__acl). */
function add(list: AclRule[], r: AclRule): void {
  if (r.access === Access.Deny) list.unshift(r);
  else list.push(r);
}

/** A parsed ACL file. */
export class AclFile {
  constructor(
    /** Rules before any `user` line (anonymous clients), or null when there are none. */
    readonly anonymous: readonly AclRule[] | null,
    readonly users: ReadonlyMap<string, readonly AclRule[]>,
    readonly patterns: readonly AclRule[],
  ) {}

  /** Parses file text. @throws ConfigError naming `path:line`. */
  static parse(text: string, path: string): AclFile {
    let anonymous: AclRule[] | null = null;
    const users = new Map<string, AclRule[]>();
    const patterns: AclRule[] = [];
    let user: string | null = null;
    const lines = text.split("\n");
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n].trimEnd(); // Mosquitto strips trailing white space only
      if (line.startsWith("#")) continue; // a comment only in column 1, as in Mosquitto
      const words = line.split(" ").filter((w) => w !== "");
      if (words.length === 0) continue;
      const where = `${path}:${n + 1}`;
      const keyword = words[0];
      if (keyword === "user") {
        const name = line.slice(line.indexOf("user") + 4).trim();
        if (name === "") throw new ConfigError(`${where}: "user" needs a user name`);
        user = name;
        continue;
      }
      if (keyword !== "topic" && keyword !== "pattern") throw new ConfigError(`${where}: unknown keyword "${keyword}" (expected topic, pattern or user)`);
      if (words.length < 2) throw new ConfigError(`${where}: "${keyword}" needs a topic filter`);
      let access: number = Access.ReadWrite, filter: string;
      if (words.length === 2) filter = words[1]; // no access word: readwrite
      else {
        const a = ACCESS_WORDS[words[1]];
        if (a === undefined || !Object.prototype.hasOwnProperty.call(ACCESS_WORDS, words[1])) {
          throw new ConfigError(`${where}: unknown access "${words[1]}" (expected read, write, readwrite or deny)`);
        }
        access = a;
        // The filter is the rest of the line (it may contain spaces).
        const afterAccess = line.indexOf(words[1], line.indexOf(keyword) + keyword.length) + words[1].length;
        filter = line.slice(afterAccess).trim();
      }
      if (!validFilter(filter)) throw new ConfigError(`${where}: invalid topic filter "${filter}"`);
      const r = rule(filter, access);
      if (keyword === "pattern") add(patterns, r);
      else if (user === null) add((anonymous ??= []), r);
      else {
        let list = users.get(user);
        if (list === undefined) users.set(user, (list = []));
        add(list, r);
      }
    }
    return new AclFile(anonymous, users, patterns);
  }

  /** Reads and parses `path`. @throws ConfigError */
  static load(path: string): AclFile {
    return AclFile.parse(readConfigText(path, (why) => `${path}: cannot read ACL file: ${why}`), path);
  }

  /** The client's own list: its user's rules, or the anonymous ones. */
  private own(p: Principal): readonly AclRule[] | null {
    return p.username === undefined ? this.anonymous : (this.users.get(p.username) ?? null);
  }

  /** Whether patterns may be applied to this client at all (no wildcard in its names). */
  private patternsSafe(p: Principal): boolean {
    return !/[+#]/.test(p.clientId) && (p.username === undefined || !/[+#]/.test(p.username));
  }

  /** The levels of pattern `r` for this client, or null when it does not apply (%u, anonymous). */
  private patternLevels(r: AclRule, p: Principal): readonly string[] | null {
    if (r.usesUser && p.username === undefined) return null;
    if (!r.substitutes) return r.levels;
    return r.filter.replaceAll("%c", p.clientId).replaceAll("%u", p.username ?? "%u").split("/");
  }

  /** Mosquitto's decision for publishing to / receiving from topic name `topic`. */
  check(p: Principal, topic: string, access: 1 | 2): boolean {
    const levels = topic.split("/");
    const dollar = topic.startsWith("$");
    const own = this.own(p);
    if (own === null && this.patterns.length === 0) return false;
    if (own !== null) {
      for (const r of own) {
        if (dollar && !r.filter.startsWith("$")) continue;
        if (!matches(r.levels, levels)) continue;
        if (r.access === Access.Deny) return false;
        if ((r.access & access) !== 0) return true;
      }
    }
    if (this.patterns.length === 0 || !this.patternsSafe(p)) return false;
    for (const r of this.patterns) {
      const l = this.patternLevels(r, p);
      if (l === null || !matches(l, levels)) continue;
      if (r.access === Access.Deny) return false;
      if ((r.access & access) !== 0) return true;
    }
    return false;
  }

  /**
   * Whether every topic `filter` matches may be read (check() would say yes for each): check()'s
   * walk made once for the whole filter. A rule overlapping the filter that denies, or the end of
   * the rules before a read rule covers the filter, answers no (the deliveries are then checked one
   * by one). Never yes where check() could say no for some topic.
   */
  readsAll(p: Principal, filter: string): boolean {
    const levels = filter.split("/");
    const dollar = filter.startsWith("$");
    const decide = (r: AclRule, l: readonly string[]): boolean | null => {
      if (!overlaps(l, levels)) return null;
      if (r.access === Access.Deny) return false; // denies some of its topics (if no earlier rule took them)
      return (r.access & Access.Read) !== 0 && covers(l, levels) ? true : null; // the rest all say yes here
    };
    const own = this.own(p);
    if (own !== null) {
      for (const r of own) {
        if (dollar && !r.filter.startsWith("$")) continue;
        const v = decide(r, r.levels);
        if (v !== null) return v;
      }
    }
    if (this.patterns.length === 0 || !this.patternsSafe(p)) return false;
    for (const r of this.patterns) {
      const l = this.patternLevels(r, p);
      const v = l === null ? null : decide(r, l);
      if (v !== null) return v;
    }
    return false;
  }

  /**
   * Whether a subscription to `filter` is granted: no applicable deny rule covers all of it, and
   * some read rule matches a topic it matches (deliveries are still checked one by one).
   */
  maySubscribe(p: Principal, filter: string): boolean {
    const levels = filter.split("/");
    const dollar = filter.startsWith("$");
    const own = this.own(p);
    const verdict = (rules: Iterable<readonly [AclRule, readonly string[]]>): boolean | null => {
      for (const [r, l] of rules) {
        if (r.access === Access.Deny) {
          if (covers(l, levels)) return false;
        } else if ((r.access & Access.Read) !== 0 && overlaps(l, levels)) return true;
      }
      return null;
    };
    if (own !== null) {
      const v = verdict(own.filter((r) => !dollar || r.filter.startsWith("$")).map((r) => [r, r.levels] as const));
      if (v !== null) return v;
    }
    if (this.patterns.length === 0 || !this.patternsSafe(p)) return false;
    const applied: Array<readonly [AclRule, readonly string[]]> = [];
    for (const r of this.patterns) {
      const l = this.patternLevels(r, p);
      if (l !== null) applied.push([r, l]);
    }
    return verdict(applied) ?? false;
  }
}
