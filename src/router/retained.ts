/**
 * Retained messages: the WASM retained trie maps topics to message ids, the messages stay here in
 * JS. A subscription walks the trie with its filter, so it costs what it matches, not the number
 * of retained topics.
 */
import type { TopicIndex } from "../wasm/topic_index.ts";
import { isExpired, type Message } from "../session/message.ts";
import type { BrokerStats } from "../session/stats.ts";
import type { Journal } from "../storage/journal.ts";

/**
 * The retained store of one broker. Message ids are array indexes, recycled when a message is
 * deleted, so a match is one array read per hit and the array stays as long as the store.
 */
export class RetainedStore {
  /** Id → message; holes are ids in `free`. Index 0 is never used. */
  private readonly messages: Array<Message | undefined> = [undefined];
  private readonly free: number[] = [];
  private count = 0;
  /** Where changes are recorded when persistence is on. */
  journal: Journal | null = null;

  constructor(private readonly index: TopicIndex, private readonly stats: BrokerStats) {}

  /** Number of retained messages. */
  get size(): number {
    return this.count;
  }

  /**
   * Applies a PUBLISH with retain=1: it replaces the topic's retained message [MQTT-3.3.1-5];
   * an empty payload deletes it [MQTT-3.3.1-10] and is not stored itself [MQTT-3.3.1-11].
   * `durable` false: kept in memory only (the $SYS tree's values, rebuilt at every start).
   */
  set(msg: Message, durable = true): void {
    const journal = durable ? this.journal : null;
    const had = this.forget(this.index.retainedDelete(msg.topic));
    if (msg.payload.length === 0) { // [MQTT-3.3.1-10] [MQTT-3.3.1-11]
      if (had) journal?.retainedDelete(msg.topic);
      return;
    }
    const id = this.free.length > 0 ? this.free.pop()! : this.messages.length;
    if (this.index.retainedSet(msg.topic, id) > 1) { // invalid topic name: not stored
      if (id < this.messages.length) this.free.push(id);
      return;
    }
    this.messages[id] = msg;
    this.count++;
    journal?.retainedPut(msg);
  }

  /**
   * Retained messages whose topics match `filter` (the `$` rule applied by the index). Messages
   * whose v5 expiry passed are deleted instead (MQTT 5.0 §3.3.2.3.3). The array is the caller's
   * (a session's retained backlog keeps it as is).
   */
  match(filter: string, nowMs: number): Message[] {
    const r = this.index.retainedMatch(filter);
    const out: Message[] = [];
    const expired: Message[] = [];
    const messages = this.messages;
    for (let i = 0; i < r.count; i++) {
      const m = messages[r.id(i)];
      if (m === undefined) continue;
      if (isExpired(m, nowMs)) expired.push(m);
      else out.push(m);
    }
    for (const m of expired) { // after reading the reused result
      this.forget(this.index.retainedDelete(m.topic));
      this.journal?.retainedDelete(m.topic);
      this.stats.droppedExpired++;
    }
    return out;
  }

  /** Frees message id `id` (a retainedDelete result: -1 when there was none); true if there was one. */
  private forget(id: number): boolean {
    if (id < 0 || this.messages[id] === undefined) return false;
    this.messages[id] = undefined;
    this.free.push(id);
    this.count--;
    return true;
  }
}
