// Naive reference model for the topic index tests: a ten-line matcher, a filter validator and a
// map-based subscription store whose match result is compared with the WASM trie's.
import type { MatchResult, TopicIndex } from "../../src/wasm/topic_index.ts";

/** Does `filter` match `topic` (MQTT 5 §4.7, including the '$' rule)? */
export function matches(filter: string, topic: string): boolean {
  const f = filter.split("/"), t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length || (f[i] !== "+" && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Is `filter` a valid topic filter (no `$share` parsing)? */
export function validFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes("\0")) return false;
  const levels = filter.split("/");
  return levels.every((l, i) =>
    (!l.includes("#") || (l === "#" && i === levels.length - 1)) && (!l.includes("+") || l === "+"));
}

/** Splits `$share/{name}/{filter}`; null when malformed, name "" when not shared. */
export function parseShared(filter: string): { name: string; filter: string } | null {
  if (!filter.startsWith("$share/")) return validFilter(filter) ? { name: "", filter } : null;
  const slash = filter.indexOf("/", 7);
  if (slash < 0) return null;
  const name = filter.slice(7, slash), inner = filter.slice(slash + 1);
  if (name === "" || /[+#]/.test(name) || !validFilter(inner)) return null;
  return { name, filter: inner };
}

interface Sub { opts: number; ident: number }

/** Subscriptions in plain maps: `${name}\n${filter}` -> subscriber -> options. */
export class NaiveIndex {
  subs = new Map<string, Map<number, Sub>>();

  subscribe(filter: string, sid: number, opts: number, ident: number): number {
    const p = parseShared(filter);
    if (!p) return 0x8f;
    const key = `${p.name}\n${p.filter}`;
    let m = this.subs.get(key);
    if (!m) this.subs.set(key, m = new Map());
    const existed = m.has(sid);
    m.set(sid, { opts: opts & 0xff, ident });
    return existed ? 1 : 0;
  }

  unsubscribe(filter: string, sid: number): number {
    const p = parseShared(filter);
    if (!p) return 0x8f;
    const key = `${p.name}\n${p.filter}`;
    const m = this.subs.get(key);
    if (!m?.delete(sid)) return 0x11;
    if (m.size === 0) this.subs.delete(key);
    return 0;
  }

  /** Canonical strings: folded ordinary entries and shared groups' member lists. */
  match(topic: string): { ordinary: string[]; shared: string[] } {
    const fold = new Map<number, { opts: number; ids: number[] }>();
    const shared: string[] = [];
    for (const [key, m] of this.subs) {
      const [name, filter] = key.split("\n");
      if (!matches(filter, topic)) continue;
      if (name !== "") {
        shared.push([...m].map(([sid, s]) => `${sid}:${s.opts & 0x0f}:${s.ident}`).sort().join(","));
        continue;
      }
      for (const [sid, s] of m) {
        const cur = fold.get(sid);
        const ids = s.ident ? [s.ident] : [];
        if (!cur) fold.set(sid, { opts: s.opts & 0x0f, ids });
        else {
          const o = cur.opts;
          cur.opts = Math.max(o & 3, s.opts & 3) | (o & s.opts & 4) | ((o | s.opts) & 8);
          cur.ids.push(...ids);
        }
      }
    }
    const ordinary = [...fold].map(([sid, f]) => `${sid}:${f.opts}:${f.ids.sort((a, b) => a - b)}`);
    return { ordinary: ordinary.sort(), shared: shared.sort() };
  }
}

/** The same canonical strings read from a WASM match result. */
export function canonical(r: MatchResult): { ordinary: string[]; shared: string[] } {
  const ordinary: string[] = [], shared: string[] = [];
  for (let i = 0; i < r.count; i++) {
    const ids = (r.subscriptionIds(i) ?? []).sort((a, b) => a - b);
    const count = r.subscriptionIdCount(i); // a wrong count shows up as a mismatch with the model
    ordinary.push(`${r.subscriber(i)}:${r.options(i)}:${ids}` + (count === ids.length ? "" : ` (count ${count})`));
  }
  for (let g = 0; g < r.sharedCount; g++) {
    const members: string[] = [];
    for (let m = 0; m < r.sharedMemberCount(g); m++) {
      members.push(`${r.sharedSubscriber(g, m)}:${r.sharedOptions(g, m)}:${r.sharedSubscriptionId(g, m)}`);
    }
    shared.push(members.sort().join(","));
  }
  return { ordinary: ordinary.sort(), shared: shared.sort() };
}

/** Retained ids the index returns for `filter`, sorted. */
export function retainedIds(index: TopicIndex, filter: string): number[] {
  const r = index.retainedMatch(filter);
  const ids: number[] = [];
  for (let i = 0; i < r.count; i++) ids.push(r.id(i));
  return ids.sort((a, b) => a - b);
}
