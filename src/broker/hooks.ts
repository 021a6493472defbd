/**
 * Hooks for embedders: every method is optional and only implemented ones are called (the idea of
 * mochi-mqtt's hooks.go). None runs per packet on the PUBLISH hot path: authorization answers are
 * cached per client and topic (src/auth/client_access.ts).
 */

import type { ListenerProtocol } from "../config/listener_config.ts";

/** Who a client is, for authorization. */
export interface ClientIdentity {
  readonly clientId: string;
  /** The CONNECT's user name; undefined = anonymous. */
  readonly username: string | undefined;
}

/** What a hook learns about a connecting client. */
export interface ConnectInfo {
  clientId: string;
  /** Protocol level: 3 (3.1), 4 (3.1.1), 5 (5.0). */
  level: number;
  /** From CONNECT, or the client certificate's CN on a `useIdentityAsUsername` listener. */
  username?: string;
  password?: Uint8Array;
  remoteAddress: string;
  /** Kind of listener the client came through ("mqtt", "mqtts", "ws", "wss"). */
  listener: ListenerProtocol;
  /**
   * The user name came from a verified client certificate (`use_identity_as_username`): the
   * password file is not consulted for it, as in Mosquitto.
   */
  certified?: boolean;
}

/** Optional callbacks into the broker's life cycle. */
export interface BrokerHooks {
  /**
   * Decides whether a CONNECT is accepted, after the password file (if any) accepted it. Return 0
   * to accept, or a v5 CONNACK reason code to refuse (e.g. 0x86 bad user name or password, 0x87 not
   * authorized; 3.1.x clients get the matching return code). May return a Promise (a database or
   * HTTP check): other clients are served meanwhile, and this client's later packets wait, in order.
   */
  authenticate?(info: ConnectInfo): number | Promise<number>;
  /**
   * May `client` publish to `topic` (a PUBLISH or its will)? Called once per client and topic (the
   * answer is cached until a reload), so it must not depend on the payload.
   */
  authorizePublish?(client: ClientIdentity, topic: string): boolean;
  /** May `client` subscribe to `filter`? Called for each filter of each SUBSCRIBE. */
  authorizeSubscribe?(client: ClientIdentity, filter: string): boolean;
  /** A client's CONNACK (success) has been sent. */
  onConnect?(info: ConnectInfo, sessionPresent: boolean): void;
  /** A connected client's connection ended (`withWill`: its will applies). */
  onDisconnect?(clientId: string, withWill: boolean): void;
}
