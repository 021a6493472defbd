/**
 * SUBSCRIBE → SUBACK and UNSUBSCRIBE → UNSUBACK (MQTT 3.1.1 §3.8-3.11, MQTT 5.0 §3.8-3.11), with
 * the retained messages a new subscription receives. Cold path: filters are strings here.
 */
import type { Packet, ProtocolLevel, QoS, SubscribePacket, SubscriptionRequest, UnsubscribePacket } from "../protocol/packets.ts";
import { ReasonCode, SUBACK_FAILURE_V4 } from "../protocol/reason_codes.ts";
import type { FrameBatch } from "../wasm/types.ts";
import { SUBSCRIBE_REPLACED, TOPIC_FILTER_INVALID } from "../wasm/topic_index.ts";
import type { Message } from "../session/message.ts";
import type { Client } from "./client.ts";
import type { BrokerCore } from "./core.ts";
import { fail } from "./errors.ts";
import { allowedByName } from "../auth/client_access.ts";
import { ackAfterCommit, journalMark, subscriptionAdded, subscriptionRemoved } from "./durable.ts";

const SHARE_PREFIX = "$share/";
const utf8 = new TextDecoder();

/** The retained messages one filter of a SUBSCRIBE matched, owed after the SUBACK. */
interface RetainedMatch {
  msgs: Message[];
  granted: QoS;
  subIds: number[] | null;
}

/**
 * A SUBSCRIBE: one SUBACK reason code per filter, in order [MQTT-3.8.4-6], then the retained
 * messages: handed to the session's backlog by reference and sent as its window and socket allow.
 */
export function handleSubscribe(core: BrokerCore, client: Client, batch: FrameBatch, i: number): void {
  const p = batch.packet(i) as SubscribePacket;
  const subId = p.properties?.subscriptionIdentifiers?.[0] ?? 0;
  const codes: number[] = [];
  const retained: RetainedMatch[] = [];
  const mark = journalMark(core);
  for (const req of p.subscriptions) {
    if (req.noLocal && req.filter.startsWith(SHARE_PREFIX)) return fail(core, client, ReasonCode.ProtocolError); // [MQTT-3.8.3-4]
    const code = subscribeOne(core, client, req, subId, retained);
    codes.push(code < 0x80 || client.level >= 5 ? code : SUBACK_FAILURE_V4);
  }
  ackAfterCommit(core, client, mark); // SUBACK once a stored session's subscriptions are on disk
  client.send(ackList(core, 9, p.packetId, codes, client.level)); // [MQTT-3.8.4-1]
  const s = client.session!;
  for (const r of retained) s.addRetained(r.msgs, r.granted, r.subIds, core.opts.maxRetainedBacklog); // retain=1 [MQTT-3.3.1-8]
  s.drain();
}

/** Adds one subscription; returns the granted QoS or a failure reason code. */
function subscribeOne(
  core: BrokerCore, client: Client, req: SubscriptionRequest, subId: number, retained: RetainedMatch[],
): number {
  const opts = core.opts;
  const s = client.session!;
  const filter = req.filter;
  const shared = filter.startsWith(SHARE_PREFIX);
  if (shared && !opts.sharedSubscriptionAvailable) return ReasonCode.SharedSubscriptionsNotSupported;
  if (!opts.wildcardSubscriptionAvailable && /[+#]/.test(filter)) return ReasonCode.WildcardSubscriptionsNotSupported;
  if (subId !== 0 && !opts.subscriptionIdentifierAvailable) return ReasonCode.SubscriptionIdentifiersNotSupported;
  if (filter.length > opts.maxTopicLength) return ReasonCode.TopicFilterInvalid;
  const gated = core.sessions.gated, access = core.sessions.access[s.sid];
  if (gated && !allowedByName(access, "subscribe", filter)) return ReasonCode.NotAuthorized; // 0x80 for 3.1.x
  const granted = Math.min(req.qos, opts.maximumQoS) as QoS; // [MQTT-3.9.3-2]
  const rh = req.retainHandling ?? 0;
  const options = granted | (req.noLocal ? 4 : 0) | (req.retainAsPublished ? 8 : 0) | (rh << 4);
  const r = core.index.subscribe(filter, s.sid, options, subId);
  if (r === TOPIC_FILTER_INVALID) return ReasonCode.TopicFilterInvalid; // [MQTT-4.7.3-1]
  const existed = r === SUBSCRIBE_REPLACED; // a repeat replaces the subscription [MQTT-3.8.4-3]
  s.subscriptions.set(filter, { options, subscriptionId: subId });
  if (gated) access?.subscribed(filter); // wholly readable or not: whether its deliveries are checked
  subscriptionAdded(core, s, filter, options, subId);
  // Retained messages: not for shared subscriptions (MQTT 5.0 §4.8.2); Retain Handling 0 always,
  // 1 only for a new subscription, 2 never [MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11].
  if (shared || rh === 2 || (rh === 1 && existed)) return granted;
  let msgs = core.retained.match(filter, core.clock.now());
  if (gated) msgs = msgs.filter((m) => allowedByName(access, "read", utf8.decode(m.topic))); // read access gates retained too
  if (msgs.length > 0) retained.push({ msgs, granted, subIds: subId !== 0 ? [subId] : null });
  return granted;
}

/** An UNSUBSCRIBE: UNSUBACK with one reason code per filter (v5) [MQTT-3.10.4-5]. */
export function handleUnsubscribe(core: BrokerCore, client: Client, batch: FrameBatch, i: number): void {
  const p = batch.packet(i) as UnsubscribePacket;
  const s = client.session!;
  const codes: number[] = [];
  const mark = journalMark(core);
  for (const filter of p.filters) {
    const r = core.index.unsubscribe(filter, s.sid); // 0x00, 0x11 none existed, 0x8F invalid
    if (s.subscriptions.delete(filter)) {
      if (core.sessions.gated) core.sessions.access[s.sid]?.unsubscribed(filter);
      subscriptionRemoved(core, s, filter);
    }
    codes.push(r);
  }
  ackAfterCommit(core, client, mark);
  client.send(ackList(core, 11, p.packetId, codes, client.level));
}

/** SUBACK / UNSUBACK (3.1.1 UNSUBACK carries no reason codes). */
function ackList(core: BrokerCore, type: 9 | 11, packetId: number, codes: number[], level: number): Uint8Array {
  const reasonCodes = type === 11 && level < 5 ? undefined : codes;
  return core.encoder.encode({ type, packetId, reasonCodes } as Packet, level as ProtocolLevel);
}
