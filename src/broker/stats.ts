/**
 * Broker counters: plain numbers, incremented in place (no cost on the hot path), read by tests,
 * embedders and logs. Every message the broker decides not to deliver is counted here.
 */

/** Counters of one Broker. */
export interface BrokerStats {
  /** Live MQTT connections (past CONNACK). */
  clients: number;
  /** PUBLISH packets received from clients. */
  publishesReceived: number;
  /** PUBLISH packets sent to clients (live, queued, re-sent, retained). */
  publishesSent: number;
  /** QoS 0 messages dropped because the subscriber's socket was congested. */
  droppedCongested: number;
  /**
   * Messages dropped because a session's queue was full (maxQueuedMessages): QoS 1/2, and QoS 0
   * waiting behind retained messages still owed to the session.
   */
  droppedQueueFull: number;
  /**
   * Messages not queued because the broker's queues held maxQueuedBytes (QoS 1/2 refused, and
   * QoS 0 that could not make room), plus queued QoS 0 messages dropped to make room for QoS 1/2.
   */
  droppedQueueBytes: number;
  /** CONNECTs refused with Quota exceeded: a new persistent session over maxPersistentSessions. */
  refusedSessionQuota: number;
  /** Sessions that outlive their connection (3.1.1 clean session 0, v5 Session Expiry > 0). */
  persistentSessions: number;
  /** Retained messages not owed to a new subscription because the session's backlog was full (maxRetainedBacklog). */
  droppedBacklogFull: number;
  /** Messages dropped because they exceeded the client's Maximum Packet Size [MQTT-3.1.2-25]. */
  droppedTooLarge: number;
  /** QoS 0 messages not queued for disconnected persistent sessions. */
  droppedOffline: number;
  /** Queued or retained messages whose v5 Message Expiry Interval passed before delivery. */
  droppedExpired: number;
  /** PUBLISH packets from clients refused because of their topic (e.g. `$SYS/`): never routed or retained. */
  droppedNotAuthorized: number;
  /** Connections closed for a protocol violation or malformed packet. */
  protocolErrors: number;
  /** Will messages published. */
  willsPublished: number;
}

/** Fresh zeroed counters. */
export function createStats(): BrokerStats {
  return {
    clients: 0, publishesReceived: 0, publishesSent: 0, droppedCongested: 0, droppedQueueFull: 0, droppedQueueBytes: 0,
    refusedSessionQuota: 0, persistentSessions: 0, droppedBacklogFull: 0, droppedTooLarge: 0, droppedOffline: 0,
    droppedExpired: 0, droppedNotAuthorized: 0, protocolErrors: 0, willsPublished: 0,
  };
}
