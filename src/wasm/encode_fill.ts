/**
 * Describes one packet to the WASM encoder: strings and binaries into scratch, numbers into the
 * table (layout per packet in the header comments of wasm/assembly/codec/encode_*.ts).
 * Only shapes and JS types are checked here; the protocol rules are checked in WASM.
 */
import type {
  AckPacket, ConnackPacket, ConnectPacket, Packet, Properties, PublishPacket, SubackPacket, SubscribePacket,
  UnsubackPacket, UnsubscribePacket,
} from "../protocol/packets.ts";
import { PropertyId } from "../protocol/packets.ts";
import {
  type EncoderTable, T_A, T_B, T_C, T_D, T_E, T_FLAGS, T_KEEP_ALIVE, T_LIST, T_PACKET_ID, T_PROPS, T_QOS,
  T_REASON, T_WILL_PROPS, u32,
} from "./encode_table.ts";

type Kind = "int" | "str" | "bin" | "user" | "subids";

/** `v` as an array, or a RangeError naming the field (a malformed packet is the caller's data). */
function list<T>(v: unknown, what: string): T[] {
  if (!Array.isArray(v)) throw new RangeError(`cannot encode: ${what} must be an array`);
  return v as T[];
}

/** `v` as an object, or a RangeError naming the field. */
function obj<T>(v: unknown, what: string): T {
  if (v === null || typeof v !== "object") throw new RangeError(`cannot encode: ${what} must be an object`);
  return v as T;
}

/** Properties in wire order: ascending identifier (the order the encoder writes them). */
const PROPERTY_ORDER: ReadonlyArray<readonly [keyof Properties, number, Kind]> = [
  ["payloadFormatIndicator", PropertyId.PayloadFormatIndicator, "int"],
  ["messageExpiryInterval", PropertyId.MessageExpiryInterval, "int"],
  ["contentType", PropertyId.ContentType, "str"],
  ["responseTopic", PropertyId.ResponseTopic, "str"],
  ["correlationData", PropertyId.CorrelationData, "bin"],
  ["subscriptionIdentifiers", PropertyId.SubscriptionIdentifier, "subids"],
  ["sessionExpiryInterval", PropertyId.SessionExpiryInterval, "int"],
  ["assignedClientIdentifier", PropertyId.AssignedClientIdentifier, "str"],
  ["serverKeepAlive", PropertyId.ServerKeepAlive, "int"],
  ["authenticationMethod", PropertyId.AuthenticationMethod, "str"],
  ["authenticationData", PropertyId.AuthenticationData, "bin"],
  ["requestProblemInformation", PropertyId.RequestProblemInformation, "int"],
  ["willDelayInterval", PropertyId.WillDelayInterval, "int"],
  ["requestResponseInformation", PropertyId.RequestResponseInformation, "int"],
  ["responseInformation", PropertyId.ResponseInformation, "str"],
  ["serverReference", PropertyId.ServerReference, "str"],
  ["reasonString", PropertyId.ReasonString, "str"],
  ["receiveMaximum", PropertyId.ReceiveMaximum, "int"],
  ["topicAliasMaximum", PropertyId.TopicAliasMaximum, "int"],
  ["topicAlias", PropertyId.TopicAlias, "int"],
  ["maximumQoS", PropertyId.MaximumQoS, "int"],
  ["retainAvailable", PropertyId.RetainAvailable, "int"],
  ["userProperties", PropertyId.UserProperty, "user"],
  ["maximumPacketSize", PropertyId.MaximumPacketSize, "int"],
  ["wildcardSubscriptionAvailable", PropertyId.WildcardSubscriptionAvailable, "int"],
  ["subscriptionIdentifierAvailable", PropertyId.SubscriptionIdentifierAvailable, "int"],
  ["sharedSubscriptionAvailable", PropertyId.SharedSubscriptionAvailable, "int"],
];

/** Writes one property as entries (lists become one entry per element). */
function property(t: EncoderTable, id: number, kind: Kind, value: unknown, name: string): void {
  if (kind === "int") {
    t.entry(id, u32(value, name), 0, 0);
  } else if (kind === "str") {
    const len = t.str(value as string, name);
    t.entry(id, t.last, len, 0);
  } else if (kind === "bin") {
    const len = t.bin(value as Uint8Array, name);
    t.entry(id, t.last, len, 0);
  } else if (kind === "subids") {
    for (const v of list<number>(value, name)) t.entry(id, u32(v, name), 0, 0);
  } else {
    for (const pair of list<[string, string]>(value, name)) {
      list(pair, "a user property");
      const keyLen = t.str(pair[0], "user property name");
      const at = t.last;
      const valueLen = t.str(pair[1], "user property value");
      t.entry(id, at, keyLen, valueLen); // the value follows the name in scratch
    }
  }
}

/** Writes a property set as entries and records them at header word `at` (v5 only). */
function properties(t: EncoderTable, at: number, props: Properties | undefined, level: number): void {
  if (props === undefined || level < 5) return;
  obj(props, "properties");
  const first = t.entryCount;
  for (const [key, id, kind] of PROPERTY_ORDER) {
    const value = props[key];
    if (value !== undefined) property(t, id, kind, value, key);
  }
  t.span(at, first);
}

function connect(t: EncoderTable, p: ConnectPacket, level: number): void {
  let flags = p.cleanStart ? 1 : 0;
  t.set(T_KEEP_ALIVE, u32(p.keepAlive, "keepAlive"));
  t.strField(T_A, p.clientId, "clientId");
  properties(t, T_PROPS, p.properties, level);
  if (p.will !== undefined) {
    obj(p.will, "will");
    flags |= 2 | (p.will.retain ? 4 : 0);
    t.set(T_QOS, u32(p.will.qos, "will.qos"));
    t.strField(T_B, p.will.topic, "will.topic");
    t.binField(T_C, p.will.payload, "will.payload");
    properties(t, T_WILL_PROPS, p.will.properties, level);
  }
  if (p.username !== undefined) {
    flags |= 8;
    t.strField(T_D, p.username, "username");
  }
  if (p.password !== undefined) {
    flags |= 16;
    t.binField(T_E, p.password, "password");
  }
  t.set(T_FLAGS, flags);
}

/**
 * PUBLISH without its payload bytes (encodePublishHead; fillTable adds them for encodePacket): sets
 * every header word encode_publish.ts reads (so the header is not zeroed first), B's length being
 * the payload's. Returns the payload, which the caller appends to the encoded head.
 */
export function fillPublishHead(t: EncoderTable, p: PublishPacket, level: number): Uint8Array {
  t.reset(3);
  const qos = u32(p.qos, "qos");
  t.set(T_FLAGS, (p.dup ? 8 : 0) | (p.retain ? 1 : 0));
  t.set(T_QOS, qos);
  t.set(T_PACKET_ID, qos > 0 ? u32(p.packetId, "packetId") : 0);
  t.topicField(T_A, p.topic, "topic");
  t.set(T_PROPS + 1, 0); // no properties unless properties() records some
  properties(t, T_PROPS, p.properties, level);
  t.set(T_B + 1, t.binLength(p.payload, "payload"));
  return p.payload;
}

function subscribe(t: EncoderTable, p: SubscribePacket, level: number): void {
  t.set(T_PACKET_ID, u32(p.packetId, "packetId"));
  properties(t, T_PROPS, p.properties, level);
  const first = t.entryCount;
  for (const s of list<SubscribePacket["subscriptions"][number]>(p.subscriptions, "subscriptions")) {
    obj(s, "a subscription");
    const len = t.str(s.filter, "filter");
    const rh = u32(s.retainHandling ?? 0, "retainHandling");
    // Checked here too: a large value shifted into the options word could wrap to a valid one.
    if (rh > 2) throw new RangeError(`cannot encode: SUBSCRIBE: retain handling ${rh} is not 0, 1 or 2`);
    const v5 = (s.noLocal ? 1 : 0) | (s.retainAsPublished ? 2 : 0) | (rh << 2);
    t.entry(t.last, len, u32(s.qos, "qos"), v5);
  }
  t.span(T_LIST, first);
}

function unsubscribe(t: EncoderTable, p: UnsubscribePacket, level: number): void {
  t.set(T_PACKET_ID, u32(p.packetId, "packetId"));
  properties(t, T_PROPS, p.properties, level);
  const first = t.entryCount;
  for (const f of list<string>(p.filters, "filters")) {
    const len = t.str(f, "filter");
    t.entry(t.last, len, 0, 0);
  }
  t.span(T_LIST, first);
}

/** SUBACK / UNSUBACK: packet id, properties, reason code list. */
function codes(t: EncoderTable, p: SubackPacket | UnsubackPacket, level: number): void {
  t.set(T_PACKET_ID, u32(p.packetId, "packetId"));
  properties(t, T_PROPS, p.properties, level);
  const first = t.entryCount;
  for (const c of list<number>(p.reasonCodes ?? [], "reasonCodes")) t.entry(u32(c, "reasonCodes[]"), 0, 0, 0);
  t.span(T_LIST, first);
}

/** Fills the table for `packet` at `level`. */
export function fillTable(t: EncoderTable, packet: Packet, level: number): void {
  if (packet.type === 3) {
    t.binField(T_B, fillPublishHead(t, packet, level), "payload");
    return;
  }
  t.begin(packet.type);
  switch (packet.type) {
    case 1: return connect(t, packet, level);
    case 2:
      t.set(T_FLAGS, (packet as ConnackPacket).sessionPresent ? 1 : 0);
      t.set(T_REASON, u32(packet.reasonCode, "reasonCode"));
      return properties(t, T_PROPS, packet.properties, level);
    case 4: case 5: case 6: case 7:
      t.set(T_PACKET_ID, u32((packet as AckPacket).packetId, "packetId"));
      t.set(T_REASON, u32(packet.reasonCode ?? 0, "reasonCode"));
      return properties(t, T_PROPS, packet.properties, level);
    case 8: return subscribe(t, packet, level);
    case 9: case 11: return codes(t, packet, level);
    case 10: return unsubscribe(t, packet, level);
    case 14: case 15:
      t.set(T_REASON, u32(packet.reasonCode ?? 0, "reasonCode"));
      return properties(t, T_PROPS, packet.properties, level);
  }
}
