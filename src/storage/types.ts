/**
 * The storage interface: what the broker keeps across restarts, as an idempotent log of
 * operations (put = insert or replace, delete = remove if present) and the snapshot `load()`
 * restores. The broker applies each change to its own in-memory state at once and hands the
 * operation to a backend, which commits them in groups (one per event-loop tick). Backends hold
 * no broker logic: replaying a group twice, or a delete of something absent, leaves the same state,
 * so a backend may retry a failed group as a whole (SQLite here; a Redis backend the same way).
 *
 * Keys: sessions and everything of a session by client id; retained messages by topic bytes;
 * stored messages (queued or in flight for persistent sessions) by a numeric id the broker assigns,
 * referenced by outbound entries so a fan-out to many sessions stores the payload once.
 */

/** An application message as stored: its own copies of topic, v5 property bytes and payload. */
export interface StoredMessage {
  topic: Uint8Array;
  /** v5 PUBLISH property bytes without the length prefix (empty below v5). */
  props: Uint8Array;
  payload: Uint8Array;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Message Expiry deadline in ms since the epoch, 0 = never. */
  expiresAt: number;
}

/** A session that outlives its connection (3.1.1 clean session 0, v5 Session Expiry > 0). */
export interface SessionRow {
  clientId: string;
  /** Session Expiry Interval in seconds (0xFFFFFFFF = never). */
  expiryInterval: number;
  /** When it expires (ms since the epoch) while disconnected; 0 while a connection holds it. */
  expiresAt: number;
  /** Last time a connection held it (ms), for persistent_client_expiration. */
  lastSeen: number;
  /**
   * The user the session's connection authenticated as (password file user or certificate CN);
   * absent = anonymous. Access decisions for the session's deliveries use it after a restart.
   */
  username?: string;
}

/** One subscription of a stored session (`filter` as subscribed, `$share/…` included). */
export interface SubscriptionRow {
  clientId: string;
  filter: string;
  /** Options byte: granted QoS | No Local << 2 | Retain As Published << 3 | Retain Handling << 4. */
  options: number;
  /** v5 Subscription Identifier, 0 = none. */
  subscriptionId: number;
}

/** Outbound entry states. */
export const OutboundState = {
  /** Waiting for the connection or the inflight window. */
  Queued: 0,
  /** PUBLISH sent, ack awaited (packetId set). */
  Sent: 1,
  /** QoS 2: PUBREC received, PUBREL sent, PUBCOMP awaited. */
  Released: 2,
} as const;

/** One message owed to a stored session: queued, or in flight with its packet id. */
export interface OutboundRow {
  clientId: string;
  /**
   * Position in the session's delivery order, and the entry's key: unique across the store and
   * never reused (the broker numbers every entry from one counter), so a backend may key by it.
   */
  seq: number;
  /** The StoredMessage id (see message put). */
  messageId: number;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** 0 while queued. */
  packetId: number;
  state: number;
  /** v5 subscription identifiers to send with it. */
  subIds: number[] | null;
}

/** A will waiting for its connection to end, or for its delay after that. */
export interface WillRow {
  clientId: string;
  message: StoredMessage;
  /** Will Delay Interval in seconds. */
  delay: number;
  /** When it is due (ms) once the connection is gone; 0 while the connection is alive. */
  dueAt: number;
}

/** One operation of the log. Every put replaces; every delete is a no-op when absent. */
export type StoreOp =
  | { op: "session.put"; row: SessionRow }
  /** Removes the session and everything it owns (subscriptions, outbound, inbound ids, will). */
  | { op: "session.delete"; clientId: string }
  | { op: "subscription.put"; row: SubscriptionRow }
  | { op: "subscription.delete"; clientId: string; filter: string }
  | { op: "retained.put"; message: StoredMessage }
  | { op: "retained.delete"; topic: Uint8Array }
  | { op: "message.put"; id: number; message: StoredMessage }
  | { op: "message.delete"; id: number }
  | { op: "outbound.put"; row: OutboundRow }
  | { op: "outbound.delete"; clientId: string; seq: number }
  | { op: "inbound.put"; clientId: string; packetId: number }
  | { op: "inbound.delete"; clientId: string; packetId: number }
  | { op: "will.put"; row: WillRow }
  | { op: "will.delete"; clientId: string };

/** A stored session with everything it owns, as load() returns it. */
export interface StoredSession {
  session: SessionRow;
  subscriptions: SubscriptionRow[];
  /** In seq order. */
  outbound: OutboundRow[];
  /** Inbound QoS 2 packet ids PUBREC'd and not yet released. */
  inbound: number[];
  will: WillRow | null;
}

/** Everything a backend holds. */
export interface Snapshot {
  retained: StoredMessage[];
  sessions: StoredSession[];
  /** Stored messages referenced by outbound rows, by id (unreferenced ones are not returned). */
  messages: Map<number, StoredMessage>;
}

/** A place the broker's durable state lives. */
export interface StorageBackend {
  /** Where it lives, for messages ("memory", a file path, a Redis URL). */
  readonly location: string;
  /**
   * Commits one group of operations atomically, in order: all or none. A failure leaves the
   * stored state as it was before the group (the caller may retry the same group).
   */
  commit(ops: readonly StoreOp[]): void | Promise<void>;
  /** Everything committed so far. */
  load(): Snapshot | Promise<Snapshot>;
  /** Releases the backend (files, locks, connections). Idempotent. */
  close(): void | Promise<void>;
}

/**
 * Storage cannot be used: unreadable or corrupt database, a data directory held by another
 * broker, a failed write. The message names the file or directory. Exit code 2 in the CLI.
 */
export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StorageError";
  }
}
