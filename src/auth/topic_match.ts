/**
 * Topic filter relations for access rules, on level arrays (cold path: rules are matched once per
 * client and topic, then the answer is cached).
 */

/** Whether `filter` (split at '/') matches topic name `topic` (split), with the $ rule [MQTT-4.7.2-1]. */
export function matches(filter: readonly string[], topic: readonly string[]): boolean {
  if (topic[0]?.startsWith("$") && (filter[0] === "+" || filter[0] === "#")) return false; // [MQTT-4.7.2-1]
  for (let i = 0; i < filter.length; i++) {
    const f = filter[i];
    if (f === "#") return true; // also matches the parent level [MQTT-4.7.1-2]
    if (i >= topic.length) return false;
    if (f !== "+" && f !== topic[i]) return false;
  }
  return filter.length === topic.length;
}

/** Whether every topic `inner` matches is also matched by `outer`. */
export function covers(outer: readonly string[], inner: readonly string[]): boolean {
  if (startsWithDollar(inner) && isWild(outer[0])) return false;
  for (let i = 0; i < outer.length; i++) {
    const o = outer[i];
    if (o === "#") return true;
    if (i >= inner.length) return false;
    const n = inner[i];
    if (n === "#") return false;
    if (o === "+") continue;
    if (n === "+" || n !== o) return false;
  }
  return outer.length === inner.length;
}

/** Whether some topic name is matched by both filters. */
export function overlaps(a: readonly string[], b: readonly string[]): boolean {
  if ((startsWithDollar(a) && isWild(b[0])) || (startsWithDollar(b) && isWild(a[0]))) return false;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i], y = b[i];
    if (x === "#" || y === "#") return true;
    if (x !== "+" && y !== "+" && x !== y) return false;
  }
  if (a.length === b.length) return true;
  const longer = a.length > b.length ? a : b;
  return longer.length === n + 1 && longer[n] === "#"; // "a/#" matches "a"
}

/** Whether `filter` is a valid topic filter: '+' and '#' fill whole levels, '#' only last [MQTT-4.7.1-1]. */
export function validFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const levels = filter.split("/");
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l.includes("#") && (l !== "#" || i !== levels.length - 1)) return false;
    if (l.includes("+") && l !== "+") return false;
  }
  return true;
}

function isWild(level: string | undefined): boolean {
  return level === "+" || level === "#";
}

function startsWithDollar(levels: readonly string[]): boolean {
  return levels[0]?.startsWith("$") ?? false;
}
