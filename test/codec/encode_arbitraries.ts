// fast-check arbitraries for valid packets of every type at levels 3/4/5, with MQTT 5 properties.
// They stay inside what mqtt-packet (the oracle) can express; where that is narrower than the
// spec the generator says so. Not a test file (no `.test.ts`).
import fc from "fast-check";
import type { Packet, Properties, ProtocolLevel } from "../../src/protocol/packets.ts";
import { groupUserProperties } from "./encode_oracle.ts";

const str = fc.string({ unit: "binary", maxLength: 20 });
const nonEmpty = fc.string({ unit: "binary", minLength: 1, maxLength: 20 });
/** A PUBLISH topic name: no wildcards [MQTT-3.3.2-2], no U+0000 [MQTT-1.5.4-2] (the encoder refuses them). */
const topicName = nonEmpty.map((s) => s.replace(/[+#\u0000]/g, "_"));
const bin = fc.uint8Array({ maxLength: 40 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const positive16 = fc.integer({ min: 1, max: 0xffff });
const flag = fc.constantFrom(0, 1);
const packetId = positive16;
const qos = fc.constantFrom(0 as const, 1 as const, 2 as const);

// mqtt-packet keeps user properties in an object: names are prefixed so that none looks like an
// array index (JS would reorder those keys), and equal names are grouped (see groupUserProperties).
// Values are not empty: mqtt-packet's parser drops a repeated name's earlier value when it is "".
const userProperties = fc.array(fc.tuple(str.map((s) => `k${s}`), nonEmpty), { maxLength: 4 })
  .map(groupUserProperties);

const PROPERTY_ARBS: { [K in keyof Properties]-?: fc.Arbitrary<Properties[K]> } = {
  payloadFormatIndicator: flag, messageExpiryInterval: u32, contentType: str, responseTopic: str,
  correlationData: bin, subscriptionIdentifiers: fc.array(fc.integer({ min: 1, max: 268435455 }), { minLength: 1, maxLength: 3 }),
  sessionExpiryInterval: u32, assignedClientIdentifier: str, serverKeepAlive: u16, authenticationMethod: str,
  authenticationData: bin, requestProblemInformation: flag, willDelayInterval: u32, requestResponseInformation: flag,
  responseInformation: str, serverReference: str, reasonString: str, receiveMaximum: positive16,
  topicAliasMaximum: u16, topicAlias: positive16, maximumQoS: flag, retainAvailable: flag, userProperties,
  maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }), wildcardSubscriptionAvailable: flag,
  subscriptionIdentifierAvailable: flag, sharedSubscriptionAvailable: flag,
};

/** Optional properties drawn from `keys` (absent at levels below 5). */
function props(level: ProtocolLevel, keys: Array<keyof Properties>): fc.Arbitrary<Properties | undefined> {
  if (level < 5) return fc.constant(undefined);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) model[k] = PROPERTY_ARBS[k];
  return fc.option(fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Properties>, { nil: undefined });
}

const MESSAGE: Array<keyof Properties> = ["payloadFormatIndicator", "messageExpiryInterval", "contentType",
  "responseTopic", "correlationData", "userProperties"];
const ACK: Array<keyof Properties> = ["reasonString", "userProperties"];

// Reason codes mqtt-packet's parser accepts per packet (MQTT 5.0 §3.x reason code tables).
const PUBACK_CODES = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const PUBREL_CODES = [0x00, 0x92];
const SUBACK_CODES = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];
const UNSUBACK_CODES = [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91];
const DISCONNECT_CODES = [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94,
  0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2];
const CONNACK_CODES = [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95,
  0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f];

function connect(level: ProtocolLevel): fc.Arbitrary<Packet> {
  const will = fc.record({ topic: nonEmpty, payload: bin, qos, retain: fc.boolean(),
    properties: props(level, [...MESSAGE, "willDelayInterval"]) });
  return fc.record({
    cleanStart: fc.boolean(), keepAlive: u16, clientId: level === 3 ? nonEmpty : str,
    will: fc.option(will, { nil: undefined }), username: fc.option(str, { nil: undefined }),
    password: fc.option(bin, { nil: undefined }),
    properties: props(level, ["sessionExpiryInterval", "receiveMaximum", "maximumPacketSize", "topicAliasMaximum",
      "requestResponseInformation", "requestProblemInformation", "userProperties", "authenticationMethod",
      "authenticationData"]),
  }).map((c) => ({
    type: 1 as const, protocolName: level === 3 ? "MQIsdp" : "MQTT", protocolLevel: level, ...c,
    // mqtt-packet refuses an empty client id without clean session, and a password without a user
    // name even in 5.0 (which allows it: that case is tested by hand in encode_errors.test.ts).
    cleanStart: c.clientId === "" ? true : c.cleanStart,
    username: c.password !== undefined && c.username === undefined ? "" : c.username,
  }));
}

function connack(level: ProtocolLevel): fc.Arbitrary<Packet> {
  const code = level === 5 ? fc.constantFrom(...CONNACK_CODES) : fc.integer({ min: 0, max: 5 });
  return fc.record({ sessionPresent: fc.boolean(), reasonCode: code, properties: props(level, ["sessionExpiryInterval",
    "assignedClientIdentifier", "serverKeepAlive", "authenticationMethod", "authenticationData", "responseInformation",
    "serverReference", "reasonString", "receiveMaximum", "topicAliasMaximum", "maximumQoS", "retainAvailable",
    "userProperties", "maximumPacketSize", "wildcardSubscriptionAvailable", "subscriptionIdentifierAvailable",
    "sharedSubscriptionAvailable"]) }).map((c) => ({
    type: 2 as const, ...c,
    // Session present only on success ([MQTT-3.2.2-4], [MQTT-3.2.2-6]); 3.1 has no such flag.
    sessionPresent: c.sessionPresent && c.reasonCode === 0 && level > 3,
  }));
}

function publish(level: ProtocolLevel): fc.Arbitrary<Packet> {
  return fc.record({ qos, dup: fc.boolean(), retain: fc.boolean(), topic: topicName, packetId,
    payload: fc.uint8Array({ maxLength: 300 }),
    properties: props(level, [...MESSAGE, "subscriptionIdentifiers", "topicAlias"]) }).map((p) => ({
    type: 3 as const, ...p, dup: p.qos > 0 && p.dup, packetId: p.qos > 0 ? p.packetId : undefined,
  }));
}

function ack(level: ProtocolLevel): fc.Arbitrary<Packet> {
  return fc.constantFrom(4 as const, 5 as const, 6 as const, 7 as const).chain((type) =>
    fc.record({ packetId, reasonCode: fc.constantFrom(...(type < 6 ? PUBACK_CODES : PUBREL_CODES)),
      properties: props(level, ACK) }).map((a) => ({ type, ...a })));
}

function subscribe(level: ProtocolLevel): fc.Arbitrary<Packet> {
  const sub = fc.record({ filter: nonEmpty, qos, noLocal: fc.boolean(), retainAsPublished: fc.boolean(),
    retainHandling: fc.constantFrom(0 as const, 1 as const, 2 as const) });
  return fc.record({ packetId, subscriptions: fc.array(sub, { minLength: 1, maxLength: 4 }),
    properties: props(level, ["userProperties"]),
    // At most one Subscription Identifier in a SUBSCRIBE (MQTT 5.0 §3.8.2.1.2).
    subscriptionId: fc.option(fc.integer({ min: 1, max: 268435455 }), { nil: undefined }) }).map((s) => ({
    type: 8 as const, packetId: s.packetId, subscriptions: s.subscriptions,
    properties: level === 5 && s.subscriptionId !== undefined
      ? { subscriptionIdentifiers: [s.subscriptionId], ...s.properties } : s.properties,
  }));
}

function codes(level: ProtocolLevel, type: 9 | 11): fc.Arbitrary<Packet> {
  const list = type === 9 ? (level === 5 ? SUBACK_CODES : [0, 1, 2, 0x80]) : UNSUBACK_CODES;
  return fc.record({ packetId, reasonCodes: fc.array(fc.constantFrom(...list), { minLength: 1, maxLength: 5 }),
    properties: props(level, ACK) }).map((p) => ({ type, ...p }));
}

function unsubscribe(level: ProtocolLevel): fc.Arbitrary<Packet> {
  return fc.record({ packetId, filters: fc.array(nonEmpty, { minLength: 1, maxLength: 4 }),
    properties: props(level, ["userProperties"]) }).map((p) => ({ type: 10 as const, ...p }));
}

function reasonPacket(level: ProtocolLevel, type: 14 | 15): fc.Arbitrary<Packet> {
  const reasons = type === 14 ? DISCONNECT_CODES : [0x00, 0x18, 0x19];
  const keys: Array<keyof Properties> = type === 14
    ? ["sessionExpiryInterval", "reasonString", "serverReference", "userProperties"]
    : ["authenticationMethod", "authenticationData", "reasonString", "userProperties"];
  return fc.record({ reasonCode: fc.constantFrom(...reasons), properties: props(level, keys) })
    .map((p) => ({ type, ...p }));
}

/** Arbitraries per packet name at `level` (AUTH only at 5). */
export function packetArbitraries(level: ProtocolLevel): Record<string, fc.Arbitrary<Packet>> {
  const all: Record<string, fc.Arbitrary<Packet>> = {
    CONNECT: connect(level), CONNACK: connack(level), PUBLISH: publish(level), "PUBACK..PUBCOMP": ack(level),
    SUBSCRIBE: subscribe(level), SUBACK: codes(level, 9), UNSUBSCRIBE: unsubscribe(level),
    UNSUBACK: codes(level, 11), PINGREQ: fc.constant({ type: 12 }), PINGRESP: fc.constant({ type: 13 }),
    DISCONNECT: reasonPacket(level, 14),
  };
  if (level === 5) all.AUTH = reasonPacket(level, 15);
  return all;
}
