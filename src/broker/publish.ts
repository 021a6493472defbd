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
import { findProperty } from "../protocol/props.ts";
import { ackBytes } from "../protocol/wire.ts";
import { ackAfterCommit, journalMark } from "./durable.ts";
import { isSysTopic } from "../protocol/sys_topics.ts";
import { writeAllowed } from "../auth/client_access.ts";

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
  const bytes = topic ?? batch.bytes, topicOffset = topic !== null ? 0 : batch.topicOffset(i);
  let reason = 0;
  const mark = journalMark(core);
  if (isSysTopic(bytes, topicOffset, topicLength)) { // the broker's own tree (MQTT 5.0 §4.7.2)
    core.stats.droppedNotAuthorized++;
    reason = ReasonCode.NotAuthorized; // 3.1.1 has no reason: a plain ack, the message dropped
  } else if (core.sessions.gated && !writeAllowed(core.sessions.access[s.sid], bytes, topicOffset, topicLength)) {
    // Write access (ACL, authorizePublish): a cached answer for a topic seen before. Denied: never
    // routed, never retained; v5 learns 0x87, 3.1.1 gets the plain ack, as from Mosquitto.
    core.stats.droppedNotAuthorized++;
    reason = ReasonCode.NotAuthorized;
  } else {
    const pub = core.live.load(batch, i, client.level, s.sid, topic);
    if (pub.retain) core.retained.set(pub.message()); // [MQTT-3.3.1-5]
    const delivered = core.router.route(pub, bytes, topicOffset, topicLength);
    // A retained message with no subscriber is stored all the same, and still gets 0x10.
    if (delivered === 0) reason = ReasonCode.NoMatchingSubscribers; // MQTT 5.0 §3.4.2.1, §3.5.2.1
    const sampler = core.topicSampler; // the dashboard's busiest topics: one PUBLISH in N
    if (sampler !== null && --sampler.countdown <= 0) sampler.sample(bytes, topicOffset, topicLength);
  }
  if (qos === 0) return;
  if (qos === 1) {
    core.stats.publishesReceivedQos1++;
    ackAfterCommit(core, client, mark); // the ack promises what this publish stored
    client.send(ackBytes(PacketType.PUBACK, packetId, reason, client.level)); // [MQTT-4.3.2-2]
  } else {
    core.stats.publishesReceivedQos2++;
    // A PUBREC with a reason of 0x80 or more ends the exchange: no PUBREL follows (MQTT 5.0 §4.3.3).
    if (reason < 0x80) {
      s.inboundQos2.add(packetId);
      if (s.durable) core.journal?.inboundPut(s.clientId, packetId); // a re-send after a restart is not delivered twice
    }
    ackAfterCommit(core, client, mark);
    client.send(ackBytes(PacketType.PUBREC, packetId, reason, client.level)); // [MQTT-4.3.3-9]
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
export function handlePubrel(core: BrokerCore, client: Client, packetId: number): void {
  const s = client.session!;
  const known = s.inboundQos2.delete(packetId);
  if (known && s.durable) core.journal?.inboundDelete(s.clientId, packetId);
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
