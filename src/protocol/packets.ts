/**
 * The JS packet model shared by the codec facade (decode/encode) and the broker.
 * Materialised packets are for the cold path (CONNECT, SUBSCRIBE, …) and for embedders;
 * the broker's PUBLISH hot path reads the decoder's frame table (offsets) instead.
 */

/** Control packet types (MQTT 3.1.1 §2.2.1, MQTT 5.0 §2.1.2). */
export const PacketType = {
  CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7,
  SUBSCRIBE: 8, SUBACK: 9, UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13,
  DISCONNECT: 14, AUTH: 15,
} as const;
export type PacketTypeCode = (typeof PacketType)[keyof typeof PacketType];

/** Protocol levels: 3 = MQTT 3.1 ("MQIsdp"), 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type ProtocolLevel = 3 | 4 | 5;
export type QoS = 0 | 1 | 2;

/** MQTT 5 property identifiers (MQTT 5.0 §2.2.2.2). */
export const PropertyId = {
  PayloadFormatIndicator: 0x01, MessageExpiryInterval: 0x02, ContentType: 0x03,
  ResponseTopic: 0x08, CorrelationData: 0x09, SubscriptionIdentifier: 0x0b,
  SessionExpiryInterval: 0x11, AssignedClientIdentifier: 0x12, ServerKeepAlive: 0x13,
  AuthenticationMethod: 0x15, AuthenticationData: 0x16, RequestProblemInformation: 0x17,
  WillDelayInterval: 0x18, RequestResponseInformation: 0x19, ResponseInformation: 0x1a,
  ServerReference: 0x1c, ReasonString: 0x1f, ReceiveMaximum: 0x21, TopicAliasMaximum: 0x22,
  TopicAlias: 0x23, MaximumQoS: 0x24, RetainAvailable: 0x25, UserProperty: 0x26,
  MaximumPacketSize: 0x27, WildcardSubscriptionAvailable: 0x28,
  SubscriptionIdentifierAvailable: 0x29, SharedSubscriptionAvailable: 0x2a,
} as const;

/** MQTT 5 properties. Absent = not present on the wire. Strings are UTF-8 decoded. */
export interface Properties {
  payloadFormatIndicator?: number;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array;
  /** PUBLISH (server→client) may carry several; SUBSCRIBE carries at most one. */
  subscriptionIdentifiers?: number[];
  sessionExpiryInterval?: number;
  assignedClientIdentifier?: string;
  serverKeepAlive?: number;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
  requestProblemInformation?: number;
  willDelayInterval?: number;
  requestResponseInformation?: number;
  responseInformation?: string;
  serverReference?: string;
  reasonString?: string;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  topicAlias?: number;
  maximumQoS?: number;
  retainAvailable?: number;
  /** In wire order; a name may repeat. */
  userProperties?: Array<[string, string]>;
  maximumPacketSize?: number;
  wildcardSubscriptionAvailable?: number;
  subscriptionIdentifierAvailable?: number;
  sharedSubscriptionAvailable?: number;
}

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: Properties; // v5 will properties
}

export interface ConnectPacket {
  type: 1;
  protocolName: string; // "MQTT" or "MQIsdp"
  protocolLevel: ProtocolLevel;
  cleanStart: boolean; // "clean session" in 3.1.1
  keepAlive: number;
  clientId: string;
  will?: Will;
  username?: string;
  password?: Uint8Array;
  properties?: Properties;
}
export interface ConnackPacket {
  type: 2;
  sessionPresent: boolean;
  /** v5 reason code, or v3.1.1 return code. */
  reasonCode: number;
  properties?: Properties;
}
export interface PublishPacket {
  type: 3;
  dup: boolean;
  qos: QoS;
  retain: boolean;
  topic: string;
  /** Present for QoS 1 and 2. */
  packetId?: number;
  payload: Uint8Array;
  properties?: Properties;
}
/** PUBACK, PUBREC, PUBREL, PUBCOMP share one shape. */
export interface AckPacket {
  type: 4 | 5 | 6 | 7;
  packetId: number;
  /** v5 only; absent means 0x00 Success. */
  reasonCode?: number;
  properties?: Properties;
}
export interface SubscriptionRequest {
  filter: string;
  qos: QoS;
  /** v5 subscription options; defaults false/false/0. */
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: 0 | 1 | 2;
}
export interface SubscribePacket {
  type: 8;
  packetId: number;
  subscriptions: SubscriptionRequest[];
  properties?: Properties;
}
export interface SubackPacket {
  type: 9;
  packetId: number;
  reasonCodes: number[];
  properties?: Properties;
}
export interface UnsubscribePacket {
  type: 10;
  packetId: number;
  filters: string[];
  properties?: Properties;
}
export interface UnsubackPacket {
  type: 11;
  packetId: number;
  /** v5 only (3.1.1 UNSUBACK has no payload). */
  reasonCodes?: number[];
  properties?: Properties;
}
export interface PingreqPacket { type: 12 }
export interface PingrespPacket { type: 13 }
export interface DisconnectPacket {
  type: 14;
  /** v5 only; absent means 0x00. */
  reasonCode?: number;
  properties?: Properties;
}
export interface AuthPacket {
  type: 15;
  reasonCode?: number;
  properties?: Properties;
}

export type Packet =
  | ConnectPacket | ConnackPacket | PublishPacket | AckPacket | SubscribePacket | SubackPacket
  | UnsubscribePacket | UnsubackPacket | PingreqPacket | PingrespPacket | DisconnectPacket | AuthPacket;
