// The encoder's oracle: mqtt-packet (dev dependency). Converts Vireo packets to mqtt-packet's shape
// for `generate`, parses bytes back with mqtt-packet's parser, and normalises both sides so that a
// round trip compares equal. Not a test file itself (no `.test.ts`): the encode_*.test.ts files use it.
import { Buffer } from "node:buffer";
import mqtt from "mqtt-packet";
import type { Packet, Properties, ProtocolLevel } from "../../src/protocol/packets.ts";

type Kind = "bool" | "num" | "str" | "bin" | "user" | "subids";
// deno-lint-ignore no-explicit-any
type Loose = any;

/** Our property name, mqtt-packet's, and how values convert — in identifier order (the wire order). */
const PROPS: ReadonlyArray<readonly [keyof Properties, string, Kind]> = [
  ["payloadFormatIndicator", "payloadFormatIndicator", "bool"],
  ["messageExpiryInterval", "messageExpiryInterval", "num"],
  ["contentType", "contentType", "str"],
  ["responseTopic", "responseTopic", "str"],
  ["correlationData", "correlationData", "bin"],
  ["subscriptionIdentifiers", "subscriptionIdentifier", "subids"],
  ["sessionExpiryInterval", "sessionExpiryInterval", "num"],
  ["assignedClientIdentifier", "assignedClientIdentifier", "str"],
  ["serverKeepAlive", "serverKeepAlive", "num"],
  ["authenticationMethod", "authenticationMethod", "str"],
  ["authenticationData", "authenticationData", "bin"],
  ["requestProblemInformation", "requestProblemInformation", "bool"],
  ["willDelayInterval", "willDelayInterval", "num"],
  ["requestResponseInformation", "requestResponseInformation", "bool"],
  ["responseInformation", "responseInformation", "str"],
  ["serverReference", "serverReference", "str"],
  ["reasonString", "reasonString", "str"],
  ["receiveMaximum", "receiveMaximum", "num"],
  ["topicAliasMaximum", "topicAliasMaximum", "num"],
  ["topicAlias", "topicAlias", "num"],
  ["maximumQoS", "maximumQoS", "num"],
  ["retainAvailable", "retainAvailable", "bool"],
  ["userProperties", "userProperties", "user"],
  ["maximumPacketSize", "maximumPacketSize", "num"],
  ["wildcardSubscriptionAvailable", "wildcardSubscriptionAvailable", "bool"],
  ["subscriptionIdentifierAvailable", "subscriptionIdentifiersAvailable", "bool"],
  ["sharedSubscriptionAvailable", "sharedSubscriptionAvailable", "bool"],
];

const CMD = [
  "", "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback",
  "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect", "auth",
];

/**
 * mqtt-packet keeps user properties in an object (one key, several values as an array), so it
 * writes equal names next to each other: tests generate them grouped, in first-appearance order.
 */
export function groupUserProperties(pairs: Array<[string, string]>): Array<[string, string]> {
  const order: string[] = [];
  const byName = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    if (!byName.has(k)) {
      byName.set(k, []);
      order.push(k);
    }
    byName.get(k)!.push(v);
  }
  return order.flatMap((k) => byName.get(k)!.map((v): [string, string] => [k, v]));
}

function toMqttProps(p: Properties | undefined): Loose {
  if (p === undefined) return undefined;
  const out: Loose = {};
  for (const [ours, theirs, kind] of PROPS) {
    const v: Loose = p[ours];
    // An empty list is no property at all; mqtt-packet would fail on it (zero-length property).
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    if (kind === "bool") out[theirs] = v === 1;
    else if (kind === "bin") out[theirs] = Buffer.from(v);
    else if (kind === "user") {
      const obj: Loose = Object.create(null);
      for (const [k, val] of v as Array<[string, string]>) {
        obj[k] = obj[k] === undefined ? val : ([] as string[]).concat(obj[k], val);
      }
      out[theirs] = obj;
    } else out[theirs] = v;
  }
  return out;
}

function fromMqttProps(p: Loose): Properties | undefined {
  if (p === undefined) return undefined;
  const out: Loose = {};
  for (const [ours, theirs, kind] of PROPS) {
    const v = p[theirs];
    if (v === undefined) continue;
    if (kind === "bool") out[ours] = v ? 1 : 0;
    else if (kind === "bin") out[ours] = new Uint8Array(v);
    else if (kind === "subids") out[ours] = Array.isArray(v) ? v : [v];
    else if (kind === "user") {
      out[ours] = Object.keys(v).flatMap((k) => ([] as string[]).concat(v[k]).map((val) => [k, val]));
    } else out[ours] = v;
  }
  return out;
}

/** The packet in mqtt-packet's shape (for `generate`). */
export function toMqtt(p: Packet, level: ProtocolLevel): Loose {
  const q: Loose = p;
  const properties = level === 5 && q.properties && !isEmpty(q.properties) ? toMqttProps(q.properties) : undefined;
  const base: Loose = { cmd: CMD[p.type], properties };
  switch (p.type) {
    case 1:
      return { ...base, protocolId: level === 3 ? "MQIsdp" : "MQTT", protocolVersion: level, clean: p.cleanStart,
        keepalive: p.keepAlive, clientId: p.clientId, username: p.username,
        password: p.password && Buffer.from(p.password),
        properties: level === 5 ? toMqttProps(p.properties) : undefined,
        will: p.will && { topic: p.will.topic, payload: Buffer.from(p.will.payload), qos: p.will.qos,
          retain: p.will.retain, properties: level === 5 ? toMqttProps(p.will.properties) : undefined } };
    case 2: return { ...base, sessionPresent: p.sessionPresent, [level === 5 ? "reasonCode" : "returnCode"]: p.reasonCode };
    case 3: return { ...base, topic: p.topic, payload: Buffer.from(p.payload), qos: p.qos, dup: p.dup,
      retain: p.retain, messageId: p.packetId };
    case 4: case 5: case 6: case 7: return { ...base, messageId: p.packetId, reasonCode: p.reasonCode ?? 0 };
    case 8: return { ...base, messageId: p.packetId, subscriptions: p.subscriptions.map((s) => ({
      topic: s.filter, qos: s.qos, nl: !!s.noLocal, rap: !!s.retainAsPublished, rh: s.retainHandling ?? 0 })) };
    case 9: case 11: return { ...base, messageId: p.packetId, granted: p.reasonCodes ?? [] };
    case 10: return { ...base, messageId: p.packetId, unsubscriptions: p.filters };
    case 14: case 15: return { ...base, reasonCode: p.reasonCode ?? 0 };
  }
  return base;
}

/**
 * mqtt-packet's bytes for `p`, normalised where mqtt-packet is not canonical:
 * - v5 DISCONNECT / AUTH with reason 0x00 and no properties: mqtt-packet writes `e0 02 00 00`; the
 *   canonical short form is `e0 00` (MQTT 5.0 §3.14.2.1, §3.15.2.1).
 * - MQTT 3.1 CONNACK: byte 2 is reserved there (no session present), so it is 0.
 */
export function oracleBytes(p: Packet, level: ProtocolLevel): Uint8Array {
  const out = new Uint8Array(mqtt.generate(toMqtt(p, level), { protocolVersion: level }));
  if (level === 5 && (p.type === 14 || p.type === 15) && out.length === 4 && out[1] === 2 && out[2] === 0) {
    return out.subarray(0, 2).map((b, i) => (i === 1 ? 0 : b));
  }
  if (level === 3 && p.type === 2) out[2] = 0;
  return out;
}

/** Parses `bytes` (one packet) with mqtt-packet's parser; returns mqtt-packet's object. */
export function oracleParse(bytes: Uint8Array, level: ProtocolLevel): Loose {
  const parser = mqtt.parser({ protocolVersion: level });
  let packet: Loose;
  let error: Error | undefined;
  parser.on("packet", (x: Loose) => (packet = x));
  parser.on("error", (e: Error) => (error = e));
  parser.parse(Buffer.from(bytes));
  if (error) throw error;
  if (packet === undefined) throw new Error("mqtt-packet parsed no packet");
  return packet;
}

/** mqtt-packet's parse of `bytes` in Vireo's packet shape (then compare with `canonical`). */
export function parseBack(bytes: Uint8Array, level: ProtocolLevel): Packet {
  const m = oracleParse(bytes, level);
  const type = CMD.indexOf(m.cmd);
  const props = level === 5 ? fromMqttProps(m.properties) : undefined;
  const out: Loose = { type };
  if (props) out.properties = props;
  switch (type) {
    case 1: return connectBack(m, level, props);
    case 2: return { ...out, sessionPresent: m.sessionPresent, reasonCode: level === 5 ? m.reasonCode : m.returnCode };
    case 3: return { ...out, dup: m.dup, qos: m.qos, retain: m.retain, topic: m.topic,
      ...(m.qos > 0 ? { packetId: m.messageId } : {}), payload: new Uint8Array(m.payload) };
    case 4: case 5: case 6: case 7:
      return { ...out, packetId: m.messageId, ...(level === 5 ? { reasonCode: m.reasonCode ?? 0 } : {}) };
    case 8: return { ...out, packetId: m.messageId, subscriptions: m.subscriptions.map((s: Loose) => level === 5
      ? { filter: s.topic, qos: s.qos, noLocal: s.nl, retainAsPublished: s.rap, retainHandling: s.rh }
      : { filter: s.topic, qos: s.qos }) };
    case 9: return { ...out, packetId: m.messageId, reasonCodes: m.granted };
    case 10: return { ...out, packetId: m.messageId, filters: m.unsubscriptions };
    case 11: return { ...out, packetId: m.messageId, ...(level === 5 ? { reasonCodes: m.granted } : {}) };
    case 14: case 15: return level === 5 ? { ...out, reasonCode: m.reasonCode ?? 0 } : out;
  }
  return out;
}

function connectBack(m: Loose, level: ProtocolLevel, props: Properties | undefined): Packet {
  const out: Loose = { type: 1, protocolName: m.protocolId, protocolLevel: m.protocolVersion, cleanStart: m.clean,
    keepAlive: m.keepalive, clientId: m.clientId };
  if (m.will) {
    out.will = { topic: m.will.topic, payload: new Uint8Array(m.will.payload), qos: m.will.qos, retain: m.will.retain };
    const wp = level === 5 ? fromMqttProps(m.will.properties) : undefined;
    if (wp) out.will.properties = wp;
  }
  if (m.username !== undefined) out.username = m.username;
  if (m.password !== undefined) out.password = new Uint8Array(m.password);
  if (props) out.properties = props;
  return out;
}

function isEmpty(p: Properties): boolean {
  return Object.values(p).every((v) => v === undefined || (Array.isArray(v) && v.length === 0));
}

/** Drops absent / empty properties; undefined when nothing is left. */
function canonicalProps(p: Properties | undefined, level: ProtocolLevel): Properties | undefined {
  if (p === undefined || level < 5 || isEmpty(p)) return undefined;
  const out: Loose = {};
  for (const [ours] of PROPS) {
    const v: Loose = p[ours];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[ours] = v;
  }
  return out;
}

/** `p` as it should come back from a round trip at `level` (what the wire can express). */
export function canonical(p: Packet, level: ProtocolLevel): Packet {
  const q: Loose = structuredClone(p);
  const props = canonicalProps(q.properties, level);
  if (props) q.properties = props;
  else delete q.properties;
  if (q.will) {
    const wp = canonicalProps(q.will.properties, level);
    if (wp) q.will.properties = wp;
    else delete q.will.properties;
  }
  for (const k of ["username", "password", "will"]) if (q[k] === undefined) delete q[k];
  if (p.type === 1) {
    q.protocolName = level === 3 ? "MQIsdp" : "MQTT"; // the level argument decides, not the packet's fields
    q.protocolLevel = level;
  }
  if (p.type === 2 && level === 3) q.sessionPresent = false;
  if (p.type === 3 && p.qos === 0) delete q.packetId;
  if ([4, 5, 6, 7, 14, 15].includes(p.type)) {
    if (level === 5) q.reasonCode = q.reasonCode ?? 0;
    else delete q.reasonCode;
  }
  if (p.type === 8) {
    q.subscriptions = p.subscriptions.map((s) => level === 5
      ? { filter: s.filter, qos: s.qos, noLocal: !!s.noLocal, retainAsPublished: !!s.retainAsPublished,
        retainHandling: s.retainHandling ?? 0 }
      : { filter: s.filter, qos: s.qos });
  }
  if (p.type === 11 && level < 5) delete q.reasonCodes;
  return q;
}
