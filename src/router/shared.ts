/**
 * Shared subscriptions ($share/{group}/{filter}, MQTT 5.0 §4.8.2): each message goes to one member
 * of each matching group. Round robin per group, preferring members that are connected and not
 * congested; when none is, the next member's session queues it (QoS > 0).
 */
import type { MatchResult } from "../wasm/topic_index.ts";
import type { SessionRegistry } from "../session/registry.ts";

/** Chooses the member of a shared group that receives a message. */
export class SharedSelector {
  /** Group key (stable while the group has members) → next round-robin position. */
  private readonly cursor = new Map<number, number>();

  constructor(private readonly sessions: SessionRegistry) {}

  /** Index of the chosen member of group `g` of `m`, or -1 when the group has no live session. */
  pick(m: MatchResult, g: number): number {
    const n = m.sharedMemberCount(g);
    if (n === 0) return -1;
    const key = m.sharedGroup(g);
    const start = (this.cursor.get(key) ?? 0) % n;
    let fallback = -1;
    for (let k = 0; k < n; k++) {
      const idx = (start + k) % n;
      const s = this.sessions.bySubscriber(m.sharedSubscriber(g, idx));
      if (s === undefined) continue;
      if (fallback < 0) fallback = idx;
      if (s.link !== null && !s.link.congested()) {
        this.cursor.set(key, idx + 1);
        return idx;
      }
    }
    if (fallback >= 0) this.cursor.set(key, fallback + 1);
    return fallback;
  }
}
