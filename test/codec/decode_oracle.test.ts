// Differential tests against mqtt-packet (the oracle): random valid packets made by its `generate`
// decode (WASM decoder) to the same structure mqtt-packet's own parser reads, field by field after
// normalising both to one canonical shape. Also: every byte fixture agrees with the oracle.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import mqtt from "mqtt-packet";
import { createCodecWasm } from "../../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../../src/wasm/decoder.ts";
import type { Packet, ProtocolLevel } from "../../src/protocol/packets.ts";
import { fixtureBytes } from "../fixtures/fixture.ts";
import { V4_FIXTURES } from "../fixtures/packets_v4.ts";
import { V5_FIXTURES } from "../fixtures/packets_v5.ts";
import { Buffer } from "node:buffer";

const decoders = createDecoderFactory(createCodecWasm());
// deno-lint-ignore no-explicit-any
type Any = any;

/** Canonical value: byte arrays → number arrays, booleans (mqtt-packet's byte properties) → 0/1. */
function canonValue(v: Any): Any {
  if (v instanceof Uint8Array) return Array.from(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

/** Canonical properties: user properties as [name, values[]] in first-seen order. */
function canonProps(p: Any, fromOracle: boolean): Any {
  if (!p) return undefined;
  const out: Record<string, Any> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === "userProperties") {
      out[k] = fromOracle
        ? Object.entries(v as object).map(([n, x]) => [n, Array.isArray(x) ? x : [x]])
        : groupPairs(v as Array<[string, string]>);
    } else if (k === "subscriptionIdentifier") out.subscriptionIdentifiers = [v].flat();
    else if (k === "subscriptionIdentifiersAvailable") out.subscriptionIdentifierAvailable = canonValue(v);
    else out[k] = canonValue(v);
  }
  return Object.keys(out).length ? out : undefined;
}

function groupPairs(pairs: Array<[string, string]>): Array<[string, string[]]> {
  const m = new Map<string, string[]>();
  for (const [k, v] of pairs) m.set(k, [...(m.get(k) ?? []), v]);
  return [...m.entries()];
}

/** mqtt-packet's parsed object → our Packet shape. */
function fromOracle(o: Any, level: ProtocolLevel): Any {
  const props = canonProps(o.properties, true);
  const code = level === 5 ? o.reasonCode ?? 0 : undefined;
  switch (o.cmd) {
    case "connect": return {
      type: 1, protocolName: o.protocolId, protocolLevel: o.protocolVersion, cleanStart: o.clean,
      keepAlive: o.keepalive, clientId: o.clientId, username: o.username, password: canonValue(o.password),
      will: o.will && { topic: o.will.topic, payload: canonValue(o.will.payload), qos: o.will.qos,
        retain: o.will.retain, properties: canonProps(o.will.properties, true) }, properties: props };
    case "connack": return { type: 2, sessionPresent: o.sessionPresent, reasonCode: o.reasonCode ?? o.returnCode, properties: props };
    case "publish": return { type: 3, dup: o.dup, qos: o.qos, retain: o.retain, topic: o.topic,
      packetId: o.qos ? o.messageId : undefined, payload: canonValue(o.payload), properties: props };
    case "puback": case "pubrec": case "pubrel": case "pubcomp":
      return { type: { puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7 }[o.cmd as string], packetId: o.messageId, reasonCode: code, properties: props };
    case "subscribe": return { type: 8, packetId: o.messageId, properties: props, subscriptions: o.subscriptions.map((s: Any) =>
      level === 5 ? { filter: s.topic, qos: s.qos, noLocal: !!s.nl, retainAsPublished: !!s.rap, retainHandling: s.rh ?? 0 }
        : { filter: s.topic, qos: s.qos }) };
    case "suback": return { type: 9, packetId: o.messageId, reasonCodes: o.granted, properties: props };
    case "unsubscribe": return { type: 10, packetId: o.messageId, filters: o.unsubscriptions, properties: props };
    case "unsuback": return { type: 11, packetId: o.messageId, reasonCodes: level === 5 ? o.granted : undefined, properties: props };
    case "pingreq": return { type: 12 };
    case "pingresp": return { type: 13 };
    case "disconnect": return { type: 14, reasonCode: code, properties: props };
    case "auth": return { type: 15, reasonCode: code, properties: props };
  }
  throw new Error(`unexpected ${o.cmd}`);
}

/** Our Packet → the canonical shape (absent reason codes read as 0 in v5, like the oracle). */
function fromMine(p: Packet, level: ProtocolLevel): Any {
  const out: Any = { ...p, properties: canonProps((p as Any).properties, false) };
  for (const k of ["payload", "password"]) if (out[k]) out[k] = canonValue(out[k]);
  if (out.will) out.will = { ...out.will, payload: canonValue(out.will.payload), properties: canonProps(out.will.properties, false) };
  if ([4, 5, 6, 7, 14, 15].includes(p.type)) out.reasonCode = level === 5 ? out.reasonCode ?? 0 : undefined;
  return out;
}

/** Drops undefined members so optional fields compare by presence of a value. */
function clean(v: Any): Any {
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, clean(x)]));
  }
  return v;
}

function oracleParse(bytes: Uint8Array, level: ProtocolLevel): Any[] {
  const parser = mqtt.parser({ protocolVersion: level });
  const out: Any[] = [];
  parser.on("packet", (x: Any) => out.push(x));
  parser.on("error", (e: Error) => { throw e; });
  parser.parse(Buffer.from(bytes));
  return out;
}

function mine(bytes: Uint8Array, level: ProtocolLevel): Packet {
  const b = decoders({ protocolLevel: level }).push(bytes);
  assert.equal(b.count, 1);
  assert.equal(b.reason(0), 0, `reason 0x${b.reason(0).toString(16)} for ${Buffer.from(bytes).toString("hex")}`);
  return b.packet(0);
}

// ---- Random mqtt-packet objects (valid for their level) ----

const text = (max = 10) => fc.string({ unit: "grapheme", maxLength: max }).filter((s) => !s.includes("\u0000"));
const topic = text(12).filter((s) => s.length > 0 && !/[+#]/.test(s));
const filter = text(12).filter((s) => s.length > 0 && !s.startsWith("$share/"));
const buf = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b));
const u16 = fc.integer({ min: 1, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const pid = u16;
// Non-empty values: mqtt-packet's parser loses a repeated user property whose first value is "".
const upText = text(5).filter((s) => s.length > 0);
const userProperties = fc.dictionary(upText, fc.oneof(upText, fc.array(upText, { minLength: 1, maxLength: 3 })), { maxKeys: 3 });
const opt = (r: Record<string, fc.Arbitrary<Any>>) => fc.option(fc.record(r, { requiredKeys: [] }), { nil: undefined });
const reasonOnly = { reasonString: text(), userProperties };

const PROPS = {
  connect: opt({ sessionExpiryInterval: u32, receiveMaximum: u16, maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }),
    topicAliasMaximum: u16, requestResponseInformation: fc.boolean(), requestProblemInformation: fc.boolean(),
    userProperties, authenticationMethod: text(), authenticationData: buf }),
  will: opt({ willDelayInterval: u32, payloadFormatIndicator: fc.boolean(), messageExpiryInterval: u32, contentType: text(),
    responseTopic: topic, correlationData: buf, userProperties }),
  connack: opt({ sessionExpiryInterval: u32, receiveMaximum: u16, maximumQoS: fc.constantFrom(0, 1), retainAvailable: fc.boolean(),
    maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }), assignedClientIdentifier: text(), topicAliasMaximum: u16,
    reasonString: text(), userProperties, wildcardSubscriptionAvailable: fc.boolean(), subscriptionIdentifiersAvailable: fc.boolean(),
    sharedSubscriptionAvailable: fc.boolean(), serverKeepAlive: u16, responseInformation: text(), serverReference: text(),
    authenticationMethod: text(), authenticationData: buf }),
  publish: opt({ payloadFormatIndicator: fc.boolean(), messageExpiryInterval: u32, topicAlias: u16, responseTopic: topic,
    correlationData: buf, userProperties, contentType: text(),
    subscriptionIdentifier: fc.oneof(fc.integer({ min: 1, max: 268_435_455 }), fc.array(fc.integer({ min: 1, max: 268_435_455 }), { minLength: 1, maxLength: 3 })) }),
  subscribe: opt({ subscriptionIdentifier: fc.integer({ min: 1, max: 268_435_455 }), userProperties }),
  unsubscribe: opt({ userProperties }),
  ack: opt(reasonOnly),
  disconnect: opt({ sessionExpiryInterval: u32, reasonString: text(), serverReference: text(), userProperties }),
  auth: opt({ authenticationMethod: text(), authenticationData: buf, reasonString: text(), userProperties }),
};

function connectArb(level: ProtocolLevel): fc.Arbitrary<Any> {
  const will = fc.record({ topic, payload: buf, qos: fc.constantFrom(0, 1, 2), retain: fc.boolean(),
    ...(level === 5 ? { properties: PROPS.will } : {}) });
  // mqtt-packet cannot write a password without a user name (allowed in 5.0: decode_validation covers it).
  const creds = fc.oneof(fc.constant({}), fc.record({ username: text() }), fc.record({ username: text(), password: buf }));
  // mqtt-packet wants a client id in 3.1, and clean set with an empty one (3.1.1 [MQTT-3.1.3-7]).
  const clientId = level === 3 ? text(23).filter((s) => s.length > 0) : text(23);
  return fc.record({ clean: fc.boolean(), clientId, keepalive: fc.integer({ min: 0, max: 0xffff }),
    will: fc.option(will, { nil: undefined }), creds, properties: level === 5 ? PROPS.connect : fc.constant(undefined) })
    .map(({ creds, ...c }) => ({ cmd: "connect", protocolId: level === 3 ? "MQIsdp" : "MQTT", protocolVersion: level,
      ...c, clean: c.clean || c.clientId === "", ...creds }));
}

function packetArb(level: ProtocolLevel): fc.Arbitrary<Any> {
  const v5 = level === 5;
  const p5 = (a: fc.Arbitrary<Any>) => (v5 ? a : fc.constant(undefined));
  const code = (codes: number[]) => (v5 ? fc.constantFrom(...codes) : fc.constant(undefined));
  const sub = v5
    ? fc.record({ topic: filter, qos: fc.constantFrom(0, 1, 2), nl: fc.boolean(), rap: fc.boolean(), rh: fc.constantFrom(0, 1, 2) })
    : fc.record({ topic: filter, qos: fc.constantFrom(0, 1, 2) });
  const arbs: fc.Arbitrary<Any>[] = [
    connectArb(level),
    fc.record({ cmd: fc.constant("connack"), sessionPresent: fc.boolean(), properties: p5(PROPS.connack),
      [v5 ? "reasonCode" : "returnCode"]: v5 ? fc.constantFrom(0, 0x80, 0x87, 0x9c) : fc.integer({ min: 0, max: 5 }) }),
    fc.record({ cmd: fc.constant("publish"), topic, payload: buf, qos: fc.constantFrom(0, 1, 2), retain: fc.boolean(),
      dup: fc.boolean(), messageId: pid, properties: p5(PROPS.publish) }).map((p) => ({ ...p, dup: p.qos > 0 && p.dup })),
    fc.record({ cmd: fc.constantFrom("puback", "pubrec"), messageId: pid, reasonCode: code([0, 0x10, 0x80, 0x87, 0x97]), properties: p5(PROPS.ack) }),
    fc.record({ cmd: fc.constantFrom("pubrel", "pubcomp"), messageId: pid, reasonCode: code([0, 0x92]), properties: p5(PROPS.ack) }),
    fc.record({ cmd: fc.constant("subscribe"), messageId: pid, subscriptions: fc.array(sub, { minLength: 1, maxLength: 4 }), properties: p5(PROPS.subscribe) }),
    fc.record({ cmd: fc.constant("suback"), messageId: pid, properties: p5(PROPS.ack),
      granted: fc.array(fc.constantFrom(...(v5 ? [0, 1, 2, 0x80, 0x87, 0x8f, 0xa2] : [0, 1, 2, 0x80])), { minLength: 1, maxLength: 4 }) }),
    fc.record({ cmd: fc.constant("unsubscribe"), messageId: pid, unsubscriptions: fc.array(filter, { minLength: 1, maxLength: 4 }), properties: p5(PROPS.unsubscribe) }),
    fc.record({ cmd: fc.constant("unsuback"), messageId: pid, properties: p5(PROPS.ack),
      granted: v5 ? fc.array(fc.constantFrom(0, 0x11, 0x80, 0x87), { minLength: 1, maxLength: 4 }) : fc.constant(undefined) }),
    fc.constantFrom({ cmd: "pingreq" }, { cmd: "pingresp" }),
    fc.record({ cmd: fc.constant("disconnect"), reasonCode: code([0, 4, 0x80, 0x81, 0x8e]), properties: p5(PROPS.disconnect) }),
  ];
  if (v5) arbs.push(fc.record({ cmd: fc.constant("auth"), reasonCode: fc.constantFrom(0, 0x18, 0x19), properties: PROPS.auth }));
  return fc.oneof(...arbs);
}

for (const level of [3, 4, 5] as const) {
  test(`random mqtt-packet packets (level ${level}) decode like mqtt-packet parses them`, () => {
    fc.assert(fc.property(packetArb(level), (obj) => {
      const bytes = new Uint8Array(mqtt.generate(obj, { protocolVersion: level }));
      fc.pre(bytes.length > 0); // mqtt-packet refused the object (e.g. an empty user-property map)
      const [oracle] = oracleParse(bytes, level);
      assert.deepEqual(clean(fromMine(mine(bytes, level), level)), clean(fromOracle(oracle, level)));
    }), { numRuns: 1500, seed: 0x5eed + level });
  });
}

for (const f of [...V4_FIXTURES, ...V5_FIXTURES]) {
  if (f.name === "v5 AUTH short form") continue; // mqtt-packet rejects the 0-length AUTH (valid per §3.15.2.1)
  test(`fixture agrees with mqtt-packet: ${f.name}`, () => {
    const bytes = fixtureBytes(f);
    const [oracle] = oracleParse(bytes, f.level);
    assert.deepEqual(clean(fromMine(f.packet, f.level)), clean(fromOracle(oracle, f.level)));
  });
}
