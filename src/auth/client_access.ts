/**
 * One client's access answers, cached per topic: the PUBLISH hot path and every delivery pay a
 * Map lookup, not an ACL walk or a hook call, for a topic the client has seen. A session keeps
 * it while offline (queued deliveries are checked too); a reload empties it (generation).
 */
import type { ClientIdentity } from "../broker/hooks.ts";
import type { AccessControl } from "./access_control.ts";
import { topicHash, TopicVerdicts } from "./topic_verdicts.ts";

const utf8 = new TextDecoder();

/** Topics remembered per client and kind before the cache starts over (bounds memory). */
const CACHE_LIMIT = 4096;

/** What a session asks before it sends or accepts a message. */
export class ClientAccess implements ClientIdentity {
  private readonly writes = new Map<string, boolean>();
  private readonly reads = new Map<string, boolean>();
  /** The byte-keyed first level, made on first use. */
  private verdicts: TopicVerdicts | null = null;
  /** The last topic this client published to and its answer (generation-checked). */
  private lastWrite: Uint8Array | null = null;
  private lastWriteYes = false;
  private generation: number;
  /**
   * The generation in which every filter of the session was found wholly readable (readsAll), so
   * deliveries need no check; 0 while some filter is not, or the filters were not reviewed since.
   */
  private freeReads = 0;
  /** The filters readsAll refused, once reviewed in generation `reviewed` (null = none). */
  private unreadable: Set<string> | null = null;
  private reviewed = 0;

  constructor(private readonly control: AccessControl, readonly username: string | undefined, readonly clientId: string) {
    this.generation = control.generation;
  }

  /** May this client publish to `topic`? */
  mayWrite(topic: string): boolean {
    return this.cached(this.writes, topic, 1);
  }

  /** May this client receive a message published to `topic`? */
  mayRead(topic: string): boolean {
    return this.cached(this.reads, topic, 0);
  }

  /** The answer for `topic` from `answers`, asked of the policy (write: kind 1) on a miss. */
  private cached(answers: Map<string, boolean>, topic: string, kind: 0 | 1): boolean {
    this.fresh();
    let v = answers.get(topic);
    if (v === undefined) {
      v = kind === 1 ? this.control.mayPublish(this, topic) : this.control.mayRead(this, topic);
      if (answers.size >= CACHE_LIMIT) answers.clear();
      answers.set(topic, v);
    }
    return v;
  }

  /**
   * mayWrite for the topic `bytes[off, off+len)`: no string is made when the answer is cached
   * (the PUBLISH hot path).
   */
  mayWriteBytes(bytes: Uint8Array, off: number, len: number): boolean {
    // A publisher mostly repeats its last topic: one byte compare, no hash.
    const last = this.lastWrite;
    if (last !== null && last.length === len && this.generation === this.control.generation) {
      let i = 0;
      while (i < len && last[i] === bytes[off + i]) i++;
      if (i === len) return this.lastWriteYes;
    }
    const yes = this.byBytes(1, bytes, off, len, topicHash(bytes, off, len));
    this.lastWrite = bytes.slice(off, off + len);
    this.lastWriteYes = yes;
    return yes;
  }

  /**
   * True while every message this client can be sent is one it may read: each of its subscription
   * filters is wholly readable under the rules in force. The router then skips the per-delivery
   * check (the usual case: a device subscribed within its own part of the tree).
   */
  readsFree(): boolean {
    return this.freeReads === this.control.generation;
  }

  /** Reviews all of the session's filters afresh (after a connect, a restore, a reload). */
  reviewReads(filters: Iterable<string>): void {
    this.fresh();
    this.unreadable = null;
    this.reviewed = this.control.generation;
    for (const f of filters) this.noteFilter(f);
    this.updateFreeReads();
  }

  /** The session subscribed to `filter` (new or replaced). */
  subscribed(filter: string): void {
    if (this.reviewed !== this.control.generation) return; // not reviewed under these rules: reads stay checked
    this.noteFilter(filter);
    this.updateFreeReads();
  }

  /** The session unsubscribed from `filter`. */
  unsubscribed(filter: string): void {
    this.unreadable?.delete(filter);
    this.updateFreeReads();
  }

  private noteFilter(filter: string): void {
    if (this.control.readsAll(this, filter)) this.unreadable?.delete(filter);
    else (this.unreadable ??= new Set()).add(filter);
  }

  private updateFreeReads(): void {
    const clear = this.reviewed === this.control.generation && (this.unreadable === null || this.unreadable.size === 0);
    this.freeReads = clear ? this.reviewed : 0;
  }

  /** mayRead by topic bytes (each delivery; the hash is computed once per PUBLISH). */
  mayReadBytes(bytes: Uint8Array, off: number, len: number, hash: number): boolean {
    // The cached answer inline (small enough for the JIT to inline into the router's loop).
    const v = this.verdicts;
    if (v !== null && this.generation === this.control.generation) {
      const cached = v.get(0, bytes, off, len, hash);
      if (cached >= 0) return cached === 1;
    }
    return this.byBytes(0, bytes, off, len, hash);
  }

  private byBytes(kind: 0 | 1, bytes: Uint8Array, off: number, len: number, hash: number): boolean {
    if (this.generation !== this.control.generation) this.fresh();
    const cached = this.verdicts === null ? -1 : this.verdicts.get(kind, bytes, off, len, hash);
    if (cached >= 0) return cached === 1;
    const name = utf8.decode(bytes.subarray(off, off + len));
    const yes = kind === 1 ? this.mayWrite(name) : this.mayRead(name);
    (this.verdicts ??= new TopicVerdicts()).set(kind, bytes, off, len, hash, yes);
    return yes;
  }

  /** May this client subscribe to `filter`? (Cold path: not cached.) */
  maySubscribe(filter: string): boolean {
    return this.control.maySubscribe(this, filter);
  }

  /** Answers from before a reload are dropped. */
  private fresh(): void {
    if (this.generation === this.control.generation) return;
    this.generation = this.control.generation;
    this.writes.clear();
    this.reads.clear();
    this.verdicts?.clear();
    this.lastWrite = null;
  }
}

/**
 * A session's access entry while access control gates topics: its ClientAccess (the broker's own
 * warm-up clients get one on AccessControl.allowAll); null = not checked; undefined when unknown,
 * which is denied (a session that somehow lacks answers never reads or writes anything).
 */
export type AccessEntry = ClientAccess | null | undefined;

/** May the entry's client publish to the topic bytes? */
export function writeAllowed(a: AccessEntry, bytes: Uint8Array, off: number, len: number): boolean {
  return a === null || (a !== undefined && a.mayWriteBytes(bytes, off, len));
}

/** Whether deliveries to the entry's client need no read check (see ClientAccess.readsFree). */
export function readsFree(a: AccessEntry): boolean {
  return a === null || (a !== undefined && a.readsFree());
}

/** May it receive a message on the topic bytes (hash: topicHash, shared by a PUBLISH's deliveries)? */
export function readAllowed(a: AccessEntry, bytes: Uint8Array, off: number, len: number, hash: number): boolean {
  return a === null || (a !== undefined && a.mayReadBytes(bytes, off, len, hash));
}

/** mayRead / mayWrite / maySubscribe by name, for the cold paths (retained on subscribe, wills, SUBSCRIBE). */
export function allowedByName(a: AccessEntry, kind: "read" | "write" | "subscribe", name: string): boolean {
  if (a === null) return true;
  if (a === undefined) return false;
  return kind === "read" ? a.mayRead(name) : kind === "write" ? a.mayWrite(name) : a.maySubscribe(name);
}
