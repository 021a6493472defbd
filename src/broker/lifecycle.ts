/**
 * Connection and session lifecycle: detaching a connection from its session (will, expiry),
 * ending sessions, publishing wills.
 */
import type { Properties, Will } from "../protocol/packets.ts";
import type { PacketEncoder } from "../wasm/encoder.ts";
import { type Message, stampExpiry, StoredPublication } from "../session/message.ts";
import type { PendingWillMessage } from "../will/will.ts";
import type { Session } from "../session/session.ts";
import { type Client, ClientState } from "./client.ts";
import { CLOSED_BY_PEER, logDisconnected } from "./conn_log.ts";
import type { BrokerCore } from "./core.ts";
import { allowedByName } from "../auth/client_access.ts";
import { sessionDetached, sessionEnded, willDetached } from "./durable.ts";

/** Session Expiry Interval meaning "never" (MQTT 5.0 §3.1.2.11.2). */
export const EXPIRY_NEVER = 0xffffffff;

const utf8 = new TextEncoder();
const utf8in = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * The connection is gone (or going): stop its keep-alive, detach it from its session, hand a
 * will to the scheduler unless the client said DISCONNECT normally [MQTT-3.1.2-10], and start
 * the session's expiry (0 = the session ends now). On take-over (`takeover`) the session is
 * left for the new connection, which resumes or ends it. `why` (the log line's reason): a server
 * reason code, CLIENT_DISCONNECT or CLOSED_BY_PEER. Idempotent.
 */
export function detach(core: BrokerCore, client: Client, publishWill: boolean, takeover = false, why = CLOSED_BY_PEER): void {
  const wasConnected = client.state === ClientState.Connected;
  client.state = ClientState.Closed;
  core.clients.delete(client.conn.id);
  core.keepAlive.unwatch(client); // keep-alive, or the CONNECT deadline of a client never connected
  if (!wasConnected) return;
  core.stats.clients--;
  const s = client.session!;
  if (core.opts.verbose) logDisconnected(core.opts.log, client, publishWill, takeover, why);
  core.opts.hooks.onDisconnect?.(s.clientId, publishWill);
  if (s.link !== client) return; // already taken over
  s.link = null;
  const will = s.will;
  s.will = null;
  if (publishWill && will !== null) {
    core.wills.schedule(s.clientId, will, s.sid, will.properties?.willDelayInterval ?? 0);
  }
  willDetached(core, s, publishWill ? will : null);
  if (takeover) return;
  if (s.expiryInterval === 0) return endSession(core, s);
  // persistent_client_expiration bounds sessions that asked never to expire (3.1.1 clean session 0,
  // v5 0xFFFFFFFF), as Mosquitto's does.
  const idle = core.opts.persistentClientExpiration;
  const seconds = idle > 0 && s.expiryInterval === EXPIRY_NEVER ? idle : s.expiryInterval;
  const deadline = seconds === EXPIRY_NEVER ? 0 : core.clock.refresh() + seconds * 1000;
  if (deadline > 0) core.expiry.set(s.clientId, deadline);
  sessionDetached(core, s, deadline);
}

/** Ends a session: its pending will goes out now, its subscriptions and messages are dropped. */
export function endSession(core: BrokerCore, s: Session): void {
  core.expiry.delete(s.clientId);
  core.wills.fire(s.clientId); // the session ended before the will delay passed (MQTT 5.0 §3.1.3.2.2)
  const subs = s.takeSubscriptions();
  if (subs !== null) for (const filter of subs.keys()) core.index.unsubscribe(filter, s.sid);
  s.clearMessages();
  sessionEnded(core, s);
  core.sessions.remove(s);
}

/** A stored message from a will (topic and properties encoded once, here). */
export function willMessage(encoder: PacketEncoder, will: Will, origin: number): Message {
  return {
    topic: utf8.encode(will.topic),
    props: will.properties !== undefined ? willPublishProps(encoder, will.properties) : EMPTY,
    payload: will.payload,
    qos: will.qos,
    retain: will.retain,
    origin,
  };
}

/**
 * Publishes a will like any PUBLISH: retained if asked, then routed. Under access control its
 * owner must (still) be allowed to publish to the will topic, checked now rather than at CONNECT
 * (a reload in between applies); an owner no longer known, or restored and not reconnected since
 * (no identity), is denied.
 */
export function publishWillNow(core: BrokerCore, will: PendingWillMessage, origin: number): void {
  if (core.sessions.gated) {
    const topic = typeof will.topic === "string" ? will.topic : utf8in.decode(will.topic);
    const known = core.sessions.bySubscriber(origin) !== undefined;
    if (!known || !allowedByName(core.sessions.access[origin], "write", topic)) {
      if (core.opts.verbose) core.opts.log(`will on ${topic} denied by access control`);
      return;
    }
  }
  const now = () => core.clock.now();
  // A restored will is a stored message: its expiry interval starts now, as a fresh will's does.
  const base = typeof will.topic === "string" ? willMessage(core.encoder, will as Will, origin) : { ...(will as Message), origin };
  const msg = stampExpiry(base, now());
  core.stats.willsPublished++;
  if (msg.retain) core.retained.set(msg);
  core.router.route(new StoredPublication(msg, now), msg.topic, 0, msg.topic.length);
}

/**
 * The PUBLISH property bytes for a will's properties (all but Will Delay Interval are carried
 * into the PUBLISH, MQTT 5.0 §3.1.3.2), produced by the WASM encoder and cut out of its output.
 */
function willPublishProps(encoder: PacketEncoder, p: Properties): Uint8Array {
  const properties: Properties = {
    payloadFormatIndicator: p.payloadFormatIndicator, messageExpiryInterval: p.messageExpiryInterval,
    contentType: p.contentType, responseTopic: p.responseTopic, correlationData: p.correlationData,
    userProperties: p.userProperties,
  };
  for (const k of Object.keys(properties) as Array<keyof Properties>) if (properties[k] === undefined) delete properties[k];
  if (Object.keys(properties).length === 0) return EMPTY;
  const b = encoder.encode({ type: 3, dup: false, qos: 0, retain: false, topic: "w", payload: EMPTY, properties }, 5);
  let o = 1;
  while (b[o] & 0x80) o++;
  o += 1 + 2 + 1; // past the remaining length, the topic length and the one-byte topic
  let len = 0, shift = 0;
  do {
    len += (b[o] & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b[o++] & 0x80);
  return b.slice(o, o + len);
}
