/**
 * CONNECT → CONNACK (MQTT 3.1.1 §3.1-3.2, MQTT 5.0 §3.1-3.2): validation, client identifier rules,
 * negotiated limits, session take-over / resumption, and the CONNACK itself.
 */
import { type ConnectPacket, PacketType, type Properties } from "../protocol/packets.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { FrameBatch } from "../wasm/types.ts";
import { InboundAliases } from "../session/topic_alias.ts";
import { OutboundAliases } from "../session/outbound_aliases.ts";
import { type Client, ClientState, ConnectionTerms } from "./client.ts";
import type { BrokerCore } from "./core.ts";
import { logConnected } from "./conn_log.ts";
import { closeWith, fail, refuseConnect } from "./errors.ts";
import { endSession, EXPIRY_NEVER } from "./lifecycle.ts";
import type { ConnectInfo } from "./hooks.ts";
import { ClientAccess } from "../auth/client_access.ts";
import { AccessControl } from "../auth/access_control.ts";
import { startEnhancedAuth } from "./enhanced_auth.ts";
import { ackAfterCommit, journalMark, sessionAttached, sessionQuota } from "./durable.ts";

/** MQTT 3.1 limits client identifiers to 1-23 characters (MQTT 3.1 §3.1, "Client Identifier"). */
const V31_MAX_CLIENT_ID = 23;
/** Largest packet size the protocol can express. */
const SPEC_MAX_PACKET = 268_435_455 + 5;

let assigned = 0;

/**
 * MQTT 3.1 / 3.1.1 CONNACK accepting a connection, by Session Present (3.1 has no such flag and
 * always gets index 0): [0x20] [remaining length 2] [flags: session present] [return code 0].
 * Constant bytes: the transport copies what it is given, so one instance serves every client.
 */
const CONNACK_ACCEPTED_V4 = [Uint8Array.of(0x20, 2, 0, 0), Uint8Array.of(0x20, 2, 1, 0)];

/** Handles the first packet of a connection, which must be a CONNECT [MQTT-3.1.0-1]. */
export function handleConnect(core: BrokerCore, client: Client, batch: FrameBatch, i: number): void {
  if (batch.type(i) !== PacketType.CONNECT) return fail(core, client, ReasonCode.ProtocolError); // [MQTT-3.1.0-1]
  const reason = batch.reason(i);
  if (reason === ReasonCode.UnsupportedProtocolVersion) return refuseConnect(core, client, 4, reason); // [MQTT-3.1.2-2]
  if (reason !== 0) return fail(core, client, reason);
  const p = batch.packet(i) as ConnectPacket;
  const level = p.protocolLevel;
  client.decoder.protocolLevel = level;
  const refusal = validate(core, client, p);
  if (refusal !== 0) return refuseConnect(core, client, level, refusal);
  if (p.properties?.authenticationMethod !== undefined) return startEnhancedAuth(core, client, p); // [MQTT-4.12.0-1]
  const checked = core.access !== null && !core.trusted.has(client);
  admit(core, client, p, checked ? core.access!.authenticate(connectInfo(client, p)) : 0, null);
}

/**
 * Finishes a CONNECT whose enhanced authentication proved the user (`p.username` is now the
 * verified one): the policy's remaining checks (anonymous, hooks), then CONNACK carrying
 * `serverFinal` as its Authentication Data.
 */
export function admitAuthenticated(core: BrokerCore, client: Client, p: ConnectPacket, serverFinal: Uint8Array): void {
  const info = { ...connectInfo(client, p), certified: true };
  admit(core, client, p, core.access === null ? 0 : core.access.authenticate(info), serverFinal);
}

/** Accepts or refuses on `verdict` (0 = accept), waiting for it if it is still being decided. */
function admit(core: BrokerCore, client: Client, p: ConnectPacket, verdict: number | Promise<number>, authData: Uint8Array | null): void {
  if (typeof verdict !== "number") return awaitVerdict(core, client, p, verdict, authData);
  if (verdict !== 0) return refuseConnect(core, client, p.protocolLevel, verdict);
  accept(core, client, p, authData);
}

/**
 * Authentication is running off the event loop (PBKDF2, an async hook): hold the client's
 * packets until the verdict, under the connect timeout, then accept or refuse it. Other clients
 * are served meanwhile.
 */
function awaitVerdict(core: BrokerCore, client: Client, p: ConnectPacket, verdict: Promise<number>, authData: Uint8Array | null): void {
  client.state = ClientState.Authenticating;
  const held = { frames: [], failReason: 0, chunks: [] };
  core.authenticating.set(client, held);
  if (core.opts.connectTimeoutMs > 0) core.keepAlive.watchMs(client, core.opts.connectTimeoutMs);
  const settle = (code: number): void => {
    if (client.state !== ClientState.Authenticating) return; // closed or timed out meanwhile
    core.authenticating.delete(client);
    core.keepAlive.unwatch(client);
    if (code !== 0) return refuseConnect(core, client, p.protocolLevel, code);
    accept(core, client, p, authData);
    core.resumeHeld(client, held);
  };
  verdict.then(settle, (err) => {
    core.opts.log(`client ${client.clientId}: authentication failed: ${(err as Error)?.stack ?? err}`);
    settle(ReasonCode.UnspecifiedError); // fail closed
  }).catch((err) => core.opts.log(`client ${client.clientId}: internal error after authentication: ${(err as Error)?.stack ?? err}`));
}

/** 0 when the CONNECT is acceptable, else the CONNACK reason code. Fills in client.clientId. */
function validate(core: BrokerCore, client: Client, p: ConnectPacket): number {
  const opts = core.opts;
  let id = p.clientId;
  if (p.protocolLevel === 3 && (id.length === 0 || id.length > V31_MAX_CLIENT_ID)) return ReasonCode.ClientIdentifierNotValid;
  if (id.length > opts.maxClientIdLength) return ReasonCode.ClientIdentifierNotValid;
  if (id.length === 0) {
    if (p.protocolLevel === 4 && !p.cleanStart) return ReasonCode.ClientIdentifierNotValid; // [MQTT-3.1.3-8]
    if (!opts.allowZeroLengthClientId) return ReasonCode.ClientIdentifierNotValid; // [MQTT-3.1.3-7]
    id = `vireo-${Date.now().toString(36)}-${(++assigned).toString(36)}`; // [MQTT-3.1.3-6] [MQTT-3.2.2-16]
  }
  client.clientId = id;
  const will = p.will;
  if (will !== undefined) {
    if (!core.index.validTopicName(will.topic)) return ReasonCode.TopicNameInvalid;
    if (will.retain && !opts.retainAvailable) return ReasonCode.RetainNotSupported; // [MQTT-3.2.2-13]
    if (will.qos > opts.maximumQoS) return ReasonCode.QoSNotSupported; // [MQTT-3.2.2-12]
  }
  // use_identity_as_username: the verified certificate's CN replaces whatever the client sent
  // (so the ACL and the hooks see it); fail closed if the handshake left none.
  if (client.conn.useIdentityAsUsername) {
    if (client.conn.peerCommonName === undefined) return ReasonCode.NotAuthorized;
    p.username = client.conn.peerCommonName;
  }
  // The password file and the authenticate hook decide after this (AccessControl, maybe async).
  const expiry = p.protocolLevel >= 5 ? Math.min(p.properties?.sessionExpiryInterval ?? 0, opts.sessionExpiryMaximum) : p.cleanStart ? 0 : EXPIRY_NEVER;
  return sessionQuota(core, id, expiry);
}

/** What hooks see of a CONNECT. */
function connectInfo(client: Client, p: ConnectPacket): ConnectInfo {
  return {
    clientId: client.clientId, level: p.protocolLevel, password: p.password,
    username: client.conn.useIdentityAsUsername ? client.conn.peerCommonName : p.username,
    remoteAddress: client.conn.remoteAddress, listener: client.conn.protocol,
    certified: client.conn.useIdentityAsUsername === true, // the password file is not asked about a certificate's CN
  };
}

/**
 * Negotiates limits, takes over or resumes the session, sends CONNACK. Runs once per connection
 * (a reconnect storm runs it thousands of times a second), so a 3.1.x CONNECT allocates nothing
 * here beyond its session: no property objects, constant CONNACK bytes.
 */
function accept(core: BrokerCore, client: Client, p: ConnectPacket, authData: Uint8Array | null): void {
  const opts = core.opts;
  const v5 = p.protocolLevel >= 5;
  const props = p.properties;
  const ack: Properties | null = v5 ? {} : null;
  let keepAlive = p.keepAlive;
  if (ack !== null && opts.maxKeepAlive > 0 && (keepAlive > opts.maxKeepAlive || keepAlive === 0)) {
    keepAlive = opts.maxKeepAlive;
    ack.serverKeepAlive = keepAlive; // [MQTT-3.2.2-21]
  }
  let expiry = v5 ? (props?.sessionExpiryInterval ?? 0) : p.cleanStart ? 0 : EXPIRY_NEVER;
  client.terms = v5 ? v5Terms(core, props, expiry === 0) : p.protocolLevel === 3 ? core.terms31 : core.terms311;
  if (expiry > opts.sessionExpiryMaximum) {
    expiry = opts.sessionExpiryMaximum;
    if (ack !== null) ack.sessionExpiryInterval = expiry;
  }
  const mark = journalMark(core);
  const present = attachSession(core, client, p.cleanStart);
  const session = client.session!;
  session.expiryInterval = expiry;
  session.will = p.will ?? null;
  const access = core.access;
  if (core.sessions.gated) { // this connection's identity from now on, also for the session's offline deliveries
    // The warm-up's own clients are allowed everything, through the same checks (so they compile).
    const policy = core.trusted.has(client) ? AccessControl.allowAll : access!;
    core.sessions.setAccess(session, new ClientAccess(policy, p.username, client.clientId));
  }
  const passwords = access?.passwordFile;
  if (passwords && p.username !== undefined && !client.conn.useIdentityAsUsername && !core.trusted.has(client)) {
    core.passwordLogins.set(client, p.username); // the password file vouched for it (a reload may revoke)
  }
  sessionAttached(core, session);
  ackAfterCommit(core, client, mark); // CONNACK (and what follows) once the session is on disk
  if (ack !== null) {
    connackProperties(core, client, p, ack);
    const method = props?.authenticationMethod;
    if (method !== undefined) { // enhanced authentication: the method and the server's last word [MQTT-4.12.0-6]
      client.terms.authMethod = method;
      client.terms.authUser = p.username;
      ack.authenticationMethod = method;
      if (authData !== null) ack.authenticationData = authData;
    }
    client.send(core.encoder.encode({ type: 2, sessionPresent: present, reasonCode: 0, properties: ack }, 5));
  } else {
    client.send(CONNACK_ACCEPTED_V4[present && p.protocolLevel === 4 ? 1 : 0]); // 3.1 has no Session Present
  }
  client.state = ClientState.Connected;
  core.clients.delete(client.conn.id); // from now on reached through its session
  const stats = core.stats;
  stats.connectsAccepted++;
  if (++stats.clients > stats.clientsMaximum) stats.clientsMaximum = stats.clients;
  core.keepAlive.watch(client, keepAlive);
  if (opts.verbose) logConnected(opts.log, client, p);
  opts.hooks.onConnect?.(connectInfo(client, p), present);
  if (present) session.resume(); // [MQTT-4.4.0-1]
}

/** A v5 connection's own terms, from its CONNECT properties. */
function v5Terms(core: BrokerCore, props: Properties | undefined, expiryZero: boolean): ConnectionTerms {
  const opts = core.opts;
  const receiveMaximum = Math.min(opts.maxInflight, props?.receiveMaximum ?? 65535); // [MQTT-3.3.4-7]
  const terms = new ConnectionTerms(5, receiveMaximum, props?.maximumPacketSize ?? 0, opts.maxBufferedBytes, core.stats);
  terms.problemInfo = props?.requestProblemInformation !== 0;
  terms.connectExpiryZero = expiryZero;
  if (opts.topicAliasMaximum > 0) terms.aliases = new InboundAliases(opts.topicAliasMaximum);
  const outbound = Math.min(props?.topicAliasMaximum ?? 0, opts.outboundTopicAliasMaximum); // [MQTT-3.3.2-10]
  if (outbound > 0) terms.outboundAliases = new OutboundAliases(outbound);
  return terms;
}

/** v5 CONNACK properties announcing what this server supports. */
function connackProperties(core: BrokerCore, client: Client, p: ConnectPacket, ack: Properties): void {
  const opts = core.opts;
  if (opts.receiveMaximum < 65535) ack.receiveMaximum = opts.receiveMaximum;
  if (opts.maximumQoS < 2) ack.maximumQoS = opts.maximumQoS;
  if (opts.maxPacketSize < SPEC_MAX_PACKET) ack.maximumPacketSize = opts.maxPacketSize;
  if (opts.topicAliasMaximum > 0) ack.topicAliasMaximum = opts.topicAliasMaximum;
  ack.retainAvailable = opts.retainAvailable ? 1 : 0;
  ack.wildcardSubscriptionAvailable = opts.wildcardSubscriptionAvailable ? 1 : 0;
  ack.subscriptionIdentifierAvailable = opts.subscriptionIdentifierAvailable ? 1 : 0;
  ack.sharedSubscriptionAvailable = opts.sharedSubscriptionAvailable ? 1 : 0;
  if (p.clientId.length === 0) ack.assignedClientIdentifier = client.clientId; // [MQTT-3.2.2-16]
}

/**
 * Takes the client id's session over from a live connection [MQTT-3.1.4-3], then starts clean
 * [MQTT-3.1.2-4] or resumes it [MQTT-3.1.2-5], cancelling a will still waiting [MQTT-3.1.3-9].
 * Sets client.session; returns Session Present [MQTT-3.2.2-2].
 */
function attachSession(core: BrokerCore, client: Client, cleanStart: boolean): boolean {
  const id = client.clientId;
  let s = core.sessions.get(id);
  // The old connection's will follows the usual rules; its session passes to this connection.
  if (s !== undefined && s.link !== null) closeWith(core, s.link as Client, ReasonCode.SessionTakenOver, true);
  // A session whose expiry is 0 (3.1.1 clean session, v5 Session Expiry 0) ends with the connection
  // just taken over [MQTT-3.1.2-6]: it is never resumed, and its will goes out now (MQTT 5.0 §3.1.4).
  if (s !== undefined && (cleanStart || s.expiryInterval === 0)) {
    endSession(core, s);
    s = undefined;
  }
  let present = false;
  if (s !== undefined) {
    core.wills.cancel(id);
    core.expiry.delete(id);
    present = true; // [MQTT-3.2.2-2]
  } else {
    s = core.sessions.create(id); // [MQTT-3.2.2-3]
  }
  client.session = s;
  s.link = client;
  return present;
}
