/**
 * Inbound PUBLISH and the acknowledgement packets of both directions (MQTT 5.0 §3.3-3.7, §4.3).
 * The hot path: reads the decoder's frame table, routes, acknowledges; no topic string is made.
 */
import { PacketType, PropertyId } from "../protocol/packets.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { FrameBatch } from "../wasm/types.ts";
import type { Client } from "./client.ts";
import type { BrokerCore } from "./core.ts";
import { fail } from "./errors.ts";
import { findProperty } from "./props.ts";
import { ackBytes } from "./wire.ts";

/** A PUBLISH from the client. */
export function handlePublish(core: BrokerCore, client: Client, batch: FrameBatch, i: number): void {
  const s = client.session!;
  const flags = batch.flags(i);
  const qos = (flags >> 1) & 3;
  const packetId = batch.packetId(i);
  core.stats.publishesReceived++;
  let topic: Uint8Array | null = null;
  const propsLength = client.level >= 5 ? batch.propertiesLength(i) : 0;
  if (propsLength > 0 && findProperty(batch.bytes, PropertyId.SubscriptionIdentifier, batch.propertiesOffset(i), propsLength) >= 0) {
    return fail(core, client, ReasonCode.ProtocolError); // [MQTT-3.3.4-6]
  }
  if (client.level >= 5 && batch.topicAlias(i) !== 0) {
    const resolved = resolveAlias(client, batch, i);
    if (typeof resolved === "number") return fail(core, client, resolved);
    topic = resolved;
  }
  const topicLength = topic !== null ? topic.length : batch.topicLength(i);
  if (topicLength === 0) return fail(core, client, ReasonCode.ProtocolError); // [MQTT-3.3.2-1] no alias to stand in
  if (topicLength > core.opts.maxTopicLength) return fail(core, client, ReasonCode.TopicNameInvalid);
  if (qos > core.opts.maximumQoS) return fail(core, client, ReasonCode.QoSNotSupported); // [MQTT-3.2.2-11]
  if ((flags & 1) !== 0 && !core.opts.retainAvailable) return fail(core, client, ReasonCode.RetainNotSupported); // [MQTT-3.3.1-14]
  if (qos === 2) {
    if (s.inboundQos2.has(packetId)) { // a re-send before PUBREL: acknowledge, do not deliver twice [MQTT-4.3.3-10]
      client.send(ackBytes(PacketType.PUBREC, packetId, 0, client.level));
      return;
    }
    if (s.inboundQos2.size >= core.opts.receiveMaximum) return fail(core, client, ReasonCode.ReceiveMaximumExceeded); // [MQTT-3.3.4-9]
  }
  const access = s.access;
  if (access !== null) { // write access: a lookup for a topic seen before, the ACL walk once
    const bytes = topic ?? batch.bytes, off = topic !== null ? 0 : batch.topicOffset(i);
    if (!access.mayWriteBytes(bytes, off, topicLength)) return refusePublish(core, client, qos, packetId);
  }
  const pub = core.live.load(batch, i, client.level, s.sid, topic);
  if (pub.retain) core.retained.set(pub.message()); // [MQTT-3.3.1-5]
  if (topic !== null) core.router.route(pub, topic, 0, topic.length);
  else core.router.route(pub, batch.bytes, batch.topicOffset(i), topicLength);
  if (qos === 1) client.send(ackBytes(PacketType.PUBACK, packetId, 0, client.level)); // [MQTT-4.3.2-2]
  else if (qos === 2) {
    s.inboundQos2.add(packetId);
    client.send(ackBytes(PacketType.PUBREC, packetId, 0, client.level)); // [MQTT-4.3.3-9]
  }
}

/**
 * A PUBLISH the client may not make: never routed, never retained. v5 QoS 1/2 learn it from the
 * ack's reason code 0x87; 3.1.1 has no way to say so and gets the plain acknowledgement, as from
 * Mosquitto (a 3.1.1 QoS 2 exchange then completes normally).
 */
function refusePublish(core: BrokerCore, client: Client, qos: number, packetId: number): void {
  if (core.opts.verbose) core.opts.log(`client ${client.clientId}: PUBLISH denied by access control`);
  const v5 = client.level >= 5;
  if (qos === 1) client.send(ackBytes(PacketType.PUBACK, packetId, ReasonCode.NotAuthorized, client.level));
  else if (qos === 2) {
    if (!v5) client.session!.inboundQos2.add(packetId); // a reason code ≥ 0x80 ends a v5 exchange at PUBREC
    client.send(ackBytes(PacketType.PUBREC, packetId, ReasonCode.NotAuthorized, client.level));
  }
}

/**
 * A v5 PUBLISH carrying a Topic Alias: the topic it stands for (empty topic name), null when the
 * PUBLISH sets the alias to its own topic, or the reason code to disconnect with.
 */
function resolveAlias(client: Client, batch: FrameBatch, i: number): Uint8Array | number | null {
  const alias = batch.topicAlias(i);
  const table = client.terms.aliases;
  if (table === null) return ReasonCode.TopicAliasInvalid; // we announced no aliases [MQTT-3.3.2-9]
  const len = batch.topicLength(i);
  if (len === 0) return table.get(alias);
  const off = batch.topicOffset(i);
  const r = table.set(alias, batch.bytes.subarray(off, off + len));
  return r !== 0 ? r : null;
}

/** PUBREL from the client: release the QoS 2 packet id, PUBCOMP (0x92 if unknown, v5). */
export function handlePubrel(client: Client, packetId: number): void {
  const known = client.session!.inboundQos2.delete(packetId);
  const reason = known ? 0 : ReasonCode.PacketIdentifierNotFound;
  client.send(ackBytes(PacketType.PUBCOMP, packetId, reason, client.level)); // [MQTT-4.3.3-11]
}

/** The v5 reason code of an ack packet (PUBACK…PUBCOMP), 0 when absent. */
export function ackReason(batch: FrameBatch, i: number): number {
  const bytes = batch.bytes, start = batch.start(i);
  let o = start + 1;
  while (bytes[o] & 0x80) o++;
  o += 3; // past the remaining length and the packet id
  return o < start + batch.length(i) ? bytes[o] : 0;
}
