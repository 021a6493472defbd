/**
 * Broker counters: plain numbers, incremented in place (no cost on the hot path), read by tests,
 * embedders, logs and the operations side (src/ops/: $SYS, /metrics, the dashboard), which derive
 * rates and gauges from them on their own schedule. Every message the broker decides not to
 * deliver is counted here. It lives with the sessions, the lowest floor that counts (the router and
 * the broker above write here too, the operations side reads).
 */

/** Counters of one Broker. */
export interface BrokerStats {
  /** Live MQTT connections (past CONNACK). */
  clients: number;
  /** Most live MQTT connections seen at once ($SYS/broker/clients/maximum). */
  clientsMaximum: number;
  /** Sockets accepted (before CONNECT; $SYS/broker/load/sockets). */
  socketsOpened: number;
  /** CONNECTs accepted ($SYS/broker/load/connections). */
  connectsAccepted: number;
  /** CONNECTs refused with a CONNACK error or a close. */
  connectsRefused: number;
  /** Disconnected sessions that expired ($SYS/broker/clients/expired). */
  sessionsExpired: number;
  /** MQTT packets of every type received ($SYS/broker/messages/received). */
  packetsReceived: number;
  /** MQTT packets of every type sent ($SYS/broker/messages/sent). */
  packetsSent: number;
  /** Bytes received on MQTT connections. */
  bytesReceived: number;
  /** Bytes of MQTT packets handed to the transport. */
  bytesSent: number;
  /** PUBLISH packets received from clients. */
  publishesReceived: number;
  /** Of those, QoS 1 (QoS 0 is the rest). */
  publishesReceivedQos1: number;
  /** Of those, QoS 2. */
  publishesReceivedQos2: number;
  /** PUBLISH packets sent to clients (live, queued, re-sent, retained). */
  publishesSent: number;
  /** Of those, QoS 1 (QoS 0 is the rest). */
  publishesSentQos1: number;
  /** Of those, QoS 2. */
  publishesSentQos2: number;
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

/** The drop counters by the reason label /metrics and the dashboard give them. */
export const DROP_REASONS = {
  congested: "droppedCongested",
  queue_full: "droppedQueueFull",
  queue_bytes: "droppedQueueBytes",
  backlog_full: "droppedBacklogFull",
  too_large: "droppedTooLarge",
  offline: "droppedOffline",
  expired: "droppedExpired",
  not_authorized: "droppedNotAuthorized",
} as const satisfies Record<string, keyof BrokerStats>;

/** Fresh zeroed counters. */
export function createStats(): BrokerStats {
  return {
    clients: 0, clientsMaximum: 0, socketsOpened: 0, connectsAccepted: 0, connectsRefused: 0, sessionsExpired: 0,
    packetsReceived: 0, packetsSent: 0, bytesReceived: 0, bytesSent: 0,
    publishesReceived: 0, publishesReceivedQos1: 0, publishesReceivedQos2: 0,
    publishesSent: 0, publishesSentQos1: 0, publishesSentQos2: 0,
    droppedCongested: 0, droppedQueueFull: 0, droppedQueueBytes: 0, refusedSessionQuota: 0, persistentSessions: 0,
    droppedBacklogFull: 0, droppedTooLarge: 0, droppedOffline: 0,
    droppedExpired: 0, droppedNotAuthorized: 0, protocolErrors: 0, willsPublished: 0,
  };
}

/** Messages dropped for any reason. */
export function droppedTotal(s: BrokerStats): number {
  let n = 0;
  for (const k of Object.values(DROP_REASONS)) n += s[k];
  return n;
}
