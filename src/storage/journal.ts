/**
 * The broker's side of the operation log: turns its objects (messages, sessions, subscriptions)
 * into StoreOps for the group commit. The protocol handlers call these and nothing else; no SQL or
 * backend detail reaches them. Muted while the broker restores or warms up (their changes are
 * already stored, or are not meant to be).
 */
import type { Message } from "../session/message.ts";
import { GroupCommit, type GroupCommitOptions } from "./group_commit.ts";
import type { OutboundRow, SessionRow, StorageBackend, StoredMessage, WillRow } from "./types.ts";

/** A stored message's id and how many outbound entries refer to it. */
interface MessageRef {
  id: number;
  refs: number;
}

/** Typed operations over one backend's group commit. */
export class Journal {
  readonly log: GroupCommit;
  /** While true nothing is recorded (restore, warm-up). */
  muted = false;
  /** Messages stored for outbound entries: stored once however many sessions owe them. */
  private readonly refs = new Map<Message, MessageRef>();
  private nextMessageId = 1;
  private nextSeq = 1;

  constructor(backend: StorageBackend, opts: GroupCommitOptions) {
    this.log = new GroupCommit(backend, opts);
  }

  /** Operations recorded so far: compare before and after a change to know whether it wrote. */
  get recorded(): number {
    return this.log.recorded;
  }

  /** A retained message replaced its topic's previous one [MQTT-3.3.1-5]. */
  retainedPut(msg: Message): void {
    if (!this.muted) this.log.push({ op: "retained.put", message: storedMessage(msg) });
  }

  /** A topic's retained message was deleted (empty payload, or expired). */
  retainedDelete(topic: Uint8Array): void {
    if (!this.muted) this.log.push({ op: "retained.delete", topic });
  }

  /**
   * A session that outlives its connection: created, resumed, or detached (`expiresAt` its
   * deadline then, 0 while connected or when it never expires).
   */
  sessionPut(clientId: string, expiryInterval: number, expiresAt: number, lastSeen: number, username?: string): void {
    if (this.muted) return;
    const row: SessionRow = { clientId, expiryInterval, expiresAt, lastSeen };
    if (username !== undefined) row.username = username;
    this.log.push({ op: "session.put", row });
  }

  /** A stored session ended (with everything it owns). */
  sessionDelete(clientId: string): void {
    if (!this.muted) this.log.push({ op: "session.delete", clientId });
  }

  /** A stored session subscribed (or replaced a subscription) [MQTT-3.8.4-3]. */
  subscriptionPut(clientId: string, filter: string, options: number, subscriptionId: number): void {
    if (!this.muted) this.log.push({ op: "subscription.put", row: { clientId, filter, options, subscriptionId } });
  }

  /** A stored session unsubscribed. */
  subscriptionDelete(clientId: string, filter: string): void {
    if (!this.muted) this.log.push({ op: "subscription.delete", clientId, filter });
  }

  /** A stored session's will (replaces the previous one). */
  willPut(row: WillRow): void {
    if (!this.muted) this.log.push({ op: "will.put", row });
  }

  /** A stored session has no will any more. */
  willDelete(clientId: string): void {
    if (!this.muted) this.log.push({ op: "will.delete", clientId });
  }

  /** Continues numbering after what a restore found (ids and seqs are never reused). */
  seed(maxMessageId: number, maxSeq: number): void {
    this.nextMessageId = Math.max(this.nextMessageId, maxMessageId + 1);
    this.nextSeq = Math.max(this.nextSeq, maxSeq + 1);
  }

  /** A restored message and the number of restored entries referring to it. */
  adopt(msg: Message, id: number, refs: number): void {
    this.refs.set(msg, { id, refs });
  }

  /** A new outbound entry's key (increasing: a session's entries load in delivery order). */
  nextOutboundSeq(): number {
    return this.nextSeq++;
  }

  /** The stored id of `msg`, if an outbound entry refers to it. */
  messageIdOf(msg: Message): number | undefined {
    return this.refs.get(msg)?.id;
  }

  /** One more outbound entry refers to `msg`: stores it on the first; returns its id. */
  messageRef(msg: Message): number {
    const r = this.refs.get(msg);
    if (r !== undefined) {
      r.refs++;
      return r.id;
    }
    const id = this.nextMessageId++;
    this.refs.set(msg, { id, refs: 1 });
    if (!this.muted) this.log.push({ op: "message.put", id, message: storedMessage(msg) });
    return id;
  }

  /** An outbound entry referring to `msg` is gone: the message is deleted with the last one. */
  messageUnref(msg: Message): void {
    const r = this.refs.get(msg);
    if (r === undefined || --r.refs > 0) return;
    this.refs.delete(msg);
    if (!this.muted) this.log.push({ op: "message.delete", id: r.id });
  }

  /** Stores or replaces an outbound entry. */
  outboundPut(row: OutboundRow): void {
    if (!this.muted) this.log.push({ op: "outbound.put", row });
  }

  /** An outbound entry is over. */
  outboundDelete(clientId: string, seq: number): void {
    if (!this.muted) this.log.push({ op: "outbound.delete", clientId, seq });
  }

  /** Inbound QoS 2 packet id PUBREC'd: a re-send after a restart is not delivered twice. */
  inboundPut(clientId: string, packetId: number): void {
    if (!this.muted) this.log.push({ op: "inbound.put", clientId, packetId });
  }

  /** Inbound QoS 2 packet id released (PUBREL). */
  inboundDelete(clientId: string, packetId: number): void {
    if (!this.muted) this.log.push({ op: "inbound.delete", clientId, packetId });
  }
}

/** The stored form of a broker message (the arrays are the message's own stable copies). */
export function storedMessage(m: Message): StoredMessage {
  return { topic: m.topic, props: m.props, payload: m.payload, qos: m.qos, retain: m.retain, expiresAt: m.expiresAt ?? 0 };
}
