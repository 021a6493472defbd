/**
 * What a session needs from its surroundings: the connection it is attached to (SessionLink) and
 * the broker-wide services it reports to (SessionContext). Kept apart from the Session class so
 * its collaborators can implement them without importing the delivery logic.
 */
import type { BrokerStats } from "./stats.ts";
import type { LogFields } from "../log/sink.ts";
import type { Session } from "./session.ts";
import type { Delivery, QueueBytes } from "./queue.ts";
import type { InflightEntry } from "./inflight.ts";
import type { Message } from "./message.ts";
import type { OutboundAliases } from "./outbound_aliases.ts";
import type { BatchWriter } from "../transport/types.ts";

/** What a session needs from the connection it is attached to. */
export interface SessionLink {
  readonly level: number;
  /** The client's Receive Maximum (65535 below v5). */
  readonly receiveMaximum: number;
  /** The client's Maximum Packet Size, 0 = no limit. */
  readonly maximumPacketSize: number;
  /** v5 server-to-client topic aliases of this connection, null when not used. */
  readonly outboundAliases: OutboundAliases | null;
  /** Queues `bytes` for the socket, copying them at once (callers reuse their buffers). */
  send(bytes: Uint8Array): void;
  /** Queues what `writer` writes (at most `maxBytes`), in place (see Connection.writeWith). */
  sendWith(maxBytes: number, writer: BatchWriter): void;
  /** True when the socket has more buffered than the broker allows (backpressure). */
  congested(): boolean;
}

/** Broker-wide services a session reports to. */
export interface SessionContext {
  readonly stats: BrokerStats;
  readonly maxQueuedMessages: number;
  log(message: string, fields?: LogFields): void;
  /** Cached clock (ms), for message expiry. */
  now(): number;
  /**
   * Asks for drain() on a coming tick: deliveries queued behind a congested socket must not wait
   * for an ack or a transport drain event that may never come (the kernel may take it all).
   */
  wantDrain(s: Session): void;
  /** Bytes queued across the broker's sessions against config.maxQueuedBytes. */
  readonly queueBytes: QueueBytes;
  /** Where a stored session records its QoS 1/2 deliveries (null in memory mode). */
  outbox: SessionOutbox | null;
}

/**
 * The delivery events of a stored session (Session.durable), recorded so queued and in-flight
 * QoS 1/2 messages survive a restart. Only called for stored sessions; clean ones cost nothing.
 */
export interface SessionOutbox {
  /** A QoS 1/2 delivery was queued: sets d.storeSeq. */
  queued(s: Session, d: Delivery): void;
  /** A delivery went out with packet id e.packetId (sets e.storeSeq when it was not queued first). */
  sent(s: Session, e: InflightEntry): void;
  /** QoS 2: PUBREC came, PUBREL went. */
  released(s: Session, e: InflightEntry): void;
  /** The delivery is over (acknowledged, refused, expired, dropped). */
  done(s: Session, storeSeq: number, msg: Message): void;
  /** The session's messages are being dropped (it ends): release their stored copies. */
  forget(s: Session, deliveries: Iterable<Delivery>): void;
}

/** One subscription as the session remembers it (the topic index holds the matching copy). */
export interface SubscriptionRecord {
  options: number;
  subscriptionId: number;
}
