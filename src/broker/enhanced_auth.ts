/**
 * MQTT 5 enhanced authentication (MQTT 5.0 §4.12) with the built-in method SCRAM-SHA-512
 * (src/auth/scram.ts), from the password file:
 *
 *   CONNECT  (Authentication Method, Data = client-first)
 *   AUTH 0x18 (server-first)          ← server
 *   AUTH 0x18 (client-final)          → server
 *   CONNACK 0x00 (Data = server-final: the server's proof)
 *
 * Re-authentication of a connected client starts with its AUTH 0x19 and ends with AUTH 0x00.
 * An unknown method gets CONNACK 0x8C; a failed exchange CONNACK 0x86 (DISCONNECT 0x87 when
 * re-authenticating).
 */
import { type AuthPacket, type ConnectPacket, PacketType } from "../protocol/packets.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { FrameBatch } from "../wasm/types.ts";
import { SCRAM_SHA_512, ScramServer } from "../auth/scram.ts";
import { type Client, ClientState } from "./client.ts";
import type { BrokerCore } from "./core.ts";
import { closeWith, fail, refuseConnect } from "./errors.ts";

/** An exchange in progress: the SCRAM state, and the CONNECT it completes (null: re-authentication). */
export interface AuthExchange {
  scram: ScramServer;
  connect: ConnectPacket | null;
}

/** Completes a CONNECT once its identity is verified (connect.ts: the shared admission path). */
export type Admit = (core: BrokerCore, client: Client, p: ConnectPacket, serverFinal: Uint8Array) => void;

function authBytes(core: BrokerCore, reasonCode: number, data: Uint8Array): Uint8Array {
  const packet: AuthPacket = { type: PacketType.AUTH, reasonCode, properties: { authenticationMethod: SCRAM_SHA_512, authenticationData: data } };
  return core.encoder.encode(packet, 5);
}

/** A CONNECT carrying an Authentication Method: answer with AUTH 0x18 or refuse. */
export function startEnhancedAuth(core: BrokerCore, client: Client, p: ConnectPacket): void {
  const method = p.properties!.authenticationMethod;
  const passwords = core.access?.passwordFile ?? null;
  if (method !== SCRAM_SHA_512 || passwords === null) {
    return refuseConnect(core, client, 5, ReasonCode.BadAuthenticationMethod); // [MQTT-4.12.0-1]
  }
  const scram = new ScramServer(passwords);
  const step = scram.start(p.properties!.authenticationData);
  if (!step.ok) return refuseAuth(core, client, step.reason);
  client.state = ClientState.AwaitAuth;
  core.enhancedAuth.set(client, { scram, connect: p });
  if (core.opts.connectTimeoutMs > 0) core.keepAlive.watchMs(client, core.opts.connectTimeoutMs);
  client.send(authBytes(core, ReasonCode.ContinueAuthentication, step.data)); // [MQTT-4.12.0-2]
}

function refuseAuth(core: BrokerCore, client: Client, why: string): void {
  if (core.opts.verbose) core.opts.log(`client ${client.clientId}: ${SCRAM_SHA_512}: ${why}`);
  core.enhancedAuth.delete(client);
  refuseConnect(core, client, 5, ReasonCode.BadUserNameOrPassword);
}

/**
 * An AUTH packet: the client-final message of a CONNECT's exchange (state AwaitAuth), or a
 * connected client's re-authentication. `admit` finishes a CONNECT.
 */
export function handleAuth(core: BrokerCore, client: Client, batch: FrameBatch, i: number, admit: Admit): void {
  const p = batch.packet(i) as AuthPacket;
  const method = p.properties?.authenticationMethod;
  const code = p.reasonCode ?? 0;
  const ex = core.enhancedAuth.get(client);
  if (client.state === ClientState.AwaitAuth) {
    if (ex === undefined || ex.connect === null || code !== ReasonCode.ContinueAuthentication || method !== SCRAM_SHA_512) {
      core.enhancedAuth.delete(client);
      return fail(core, client, ReasonCode.ProtocolError); // [MQTT-4.12.0-5]
    }
    core.enhancedAuth.delete(client);
    core.keepAlive.unwatch(client);
    const step = ex.scram.finish(p.properties?.authenticationData);
    if (!step.ok) return refuseAuth(core, client, step.reason);
    const connect = ex.connect;
    if (connect.username !== undefined && connect.username !== ex.scram.user) return refuseAuth(core, client, "user name differs from the SCRAM user");
    connect.username = ex.scram.user; // the verified identity is the one the ACL sees
    connect.password = undefined;
    client.state = ClientState.AwaitConnect;
    return admit(core, client, connect, step.data);
  }
  // Connected: re-authentication (only with the CONNECT's method [MQTT-4.12.1-1]).
  if (client.terms.authMethod === null || method !== client.terms.authMethod) return fail(core, client, ReasonCode.ProtocolError);
  if (code === ReasonCode.ReAuthenticate && ex === undefined) {
    const scram = new ScramServer(core.access?.passwordFile ?? null);
    const step = scram.start(p.properties?.authenticationData);
    if (!step.ok) return closeWith(core, client, ReasonCode.NotAuthorized, true);
    core.enhancedAuth.set(client, { scram, connect: null });
    return client.send(authBytes(core, ReasonCode.ContinueAuthentication, step.data));
  }
  if (code === ReasonCode.ContinueAuthentication && ex !== undefined && ex.connect === null) {
    core.enhancedAuth.delete(client);
    const step = ex.scram.finish(p.properties?.authenticationData);
    if (!step.ok || client.terms.authUser !== ex.scram.user) return closeWith(core, client, ReasonCode.NotAuthorized, true);
    return client.send(authBytes(core, ReasonCode.Success, step.data)); // [MQTT-4.12.1-2]
  }
  core.enhancedAuth.delete(client);
  fail(core, client, ReasonCode.ProtocolError);
}
