/**
 * Routing: topic bytes → WASM topic index → one delivery per subscriber (overlapping subscriptions
 * already folded by the index: highest QoS, all subscription identifiers) and one per matching
 * shared group.
 */
import type { QoS } from "../protocol/packets.ts";
import type { TopicIndex } from "../wasm/topic_index.ts";
import type { Publication } from "../session/message.ts";
import type { SessionRegistry } from "../session/registry.ts";
import { SharedSelector } from "./shared.ts";
import { topicHash } from "../auth/topic_verdicts.ts";
import { readAllowed, readsFree } from "../auth/client_access.ts";

/** Options byte bit: Retain As Published. */
const OPT_RAP = 0x08;


/** Routes publications to sessions. */
export class Router {
  private readonly shared: SharedSelector;

  constructor(private readonly index: TopicIndex, private readonly sessions: SessionRegistry) {
    this.shared = new SharedSelector(sessions);
  }

  /**
   * Delivers `pub` (topic = `topic[off, off+len)`) to every matching subscription, connected or
   * not (an offline session queues it). @returns how many sessions it was delivered to (0 = no
   * matching subscribers, MQTT 5.0 §3.4.2.1 reason 0x10).
   */
  route(pub: Publication, topic: Uint8Array, off: number, len: number): number {
    // `m` may point into a live subscriber set: nothing below may (un)subscribe. deliver() only
    // queues bytes (flushed in a microtask), so no close and no session end runs inside this loop.
    const m = this.index.match(topic, off, len);
    const pubQos = pub.qos;
    // Read access only while access control gates topics, and only for a subscriber whose filters
    // are not all wholly readable; the topic hash once per PUBLISH, if needed.
    const gated = this.sessions.gated, access = this.sessions.access;
    let delivered = 0, hash = -1;
    for (let i = 0; i < m.count; i++) {
      const sid = m.subscriber(i);
      const s = this.sessions.bySubscriber(sid);
      if (s === undefined) continue;
      if (sid === pub.origin && m.noLocal(i)) continue; // [MQTT-3.8.3-3]
      if (gated) {
        const a = access[sid];
        if (!readsFree(a)) {
          if (hash < 0) hash = topicHash(topic, off, len);
          if (!readAllowed(a, topic, off, len, hash)) continue;
        }
      }
      const granted = m.qos(i);
      const qos = (pubQos < granted ? pubQos : granted) as QoS; // [MQTT-3.8.4-8]
      // Live forwards carry retain=0 [MQTT-3.3.1-9], unless Retain As Published [MQTT-3.3.1-13].
      const retain = pub.retain && m.retainAsPublished(i);
      const subIds = m.subscriptionIds(i) ?? null; // [MQTT-3.3.4-3]
      s.deliver(pub, qos, retain, subIds);
      delivered++;
    }
    for (let g = 0; g < m.sharedCount; g++) delivered += this.deliverShared(pub, m, g, topic, off, len);
    return delivered;
  }

  /** Delivers to one member of shared group `g` (if it may read the topic); 1 if delivered, else 0. */
  private deliverShared(pub: Publication, m: ReturnType<TopicIndex["match"]>, g: number, topic: Uint8Array, off: number, len: number): number {
    const member = this.shared.pick(m, g);
    if (member < 0) return 0;
    const sid = m.sharedSubscriber(g, member);
    const s = this.sessions.bySubscriber(sid)!;
    if (this.sessions.gated) {
      const a = this.sessions.access[sid];
      if (!readsFree(a) && !readAllowed(a, topic, off, len, topicHash(topic, off, len))) return 0;
    }
    const opts = m.sharedOptions(g, member);
    const granted = opts & 3;
    const qos = (pub.qos < granted ? pub.qos : granted) as QoS;
    const subId = m.sharedSubscriptionId(g, member);
    s.deliver(pub, qos, pub.retain && (opts & OPT_RAP) !== 0, subId !== 0 ? [subId] : null);
    return 1;
  }
}
