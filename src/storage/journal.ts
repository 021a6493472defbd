/**
 * The broker's side of the operation log: turns its objects (messages, sessions, subscriptions)
 * into StoreOps for the group commit. The protocol handlers call these and nothing else; no SQL or
 * backend detail reaches them. Muted while the broker restores or warms up (their changes are
 * already stored, or are not meant to be).
 */
import type { Message } from "../session/message.ts";
import { GroupCommit, type GroupCommitOptions } from "./group_commit.ts";
import type { StorageBackend, StoredMessage } from "./types.ts";

/** Typed operations over one backend's group commit. */
export class Journal {
  readonly log: GroupCommit;
  /** While true nothing is recorded (restore, warm-up). */
  muted = false;

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
  sessionPut(clientId: string, expiryInterval: number, expiresAt: number, lastSeen: number): void {
    if (!this.muted) this.log.push({ op: "session.put", row: { clientId, expiryInterval, expiresAt, lastSeen } });
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
}

/** The stored form of a broker message (the arrays are the message's own stable copies). */
export function storedMessage(m: Message): StoredMessage {
  return { topic: m.topic, props: m.props, payload: m.payload, qos: m.qos, retain: m.retain, expiresAt: m.expiresAt ?? 0 };
}
