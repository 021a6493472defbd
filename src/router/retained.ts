/**
 * Retained messages: the WASM retained trie maps topics to message ids, the messages stay here in
 * JS. A subscription walks the trie with its filter, so it costs what it matches, not the number
 * of retained topics.
 */
import type { TopicIndex } from "../wasm/topic_index.ts";
import { isExpired, type Message } from "../session/message.ts";
import type { BrokerStats } from "../broker/stats.ts";

/** The retained store of one broker. */
export class RetainedStore {
  private readonly messages = new Map<number, Message>();
  private nextId = 1;

  constructor(private readonly index: TopicIndex, private readonly stats: BrokerStats) {}

  /** Number of retained messages. */
  get size(): number {
    return this.messages.size;
  }

  /**
   * Applies a PUBLISH with retain=1: it replaces the topic's retained message [MQTT-3.3.1-5];
   * an empty payload deletes it [MQTT-3.3.1-10] and is not stored itself [MQTT-3.3.1-11].
   */
  set(msg: Message): void {
    const old = this.index.retainedDelete(msg.topic);
    if (old >= 0) this.messages.delete(old);
    if (msg.payload.length === 0) return; // [MQTT-3.3.1-10] [MQTT-3.3.1-11]
    const id = this.nextId++;
    if (this.index.retainedSet(msg.topic, id) > 1) return; // invalid topic name: not stored
    this.messages.set(id, msg);
  }

  /**
   * Retained messages whose topics match `filter` (the `$` rule applied by the index). Messages
   * whose v5 expiry passed are deleted instead (MQTT 5.0 §3.3.2.3.3).
   */
  match(filter: string, nowMs: number): Message[] {
    const r = this.index.retainedMatch(filter);
    const out: Message[] = [];
    const expired: Message[] = [];
    for (let i = 0; i < r.count; i++) {
      const m = this.messages.get(r.id(i));
      if (m === undefined) continue;
      if (isExpired(m, nowMs)) expired.push(m);
      else out.push(m);
    }
    for (const m of expired) { // after reading the reused result
      const id = this.index.retainedDelete(m.topic);
      if (id >= 0) this.messages.delete(id);
      this.stats.droppedExpired++;
    }
    return out;
  }
}
