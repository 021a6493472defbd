/**
 * Hooks for embedders: every method is optional and only implemented ones are called (the idea of
 * mochi-mqtt's hooks.go). None runs on the PUBLISH hot path.
 */

import type { ListenerProtocol } from "../config/listener_config.ts";

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
}

/** Optional callbacks into the broker's life cycle. */
export interface BrokerHooks {
  /**
   * Decides whether a CONNECT is accepted. Return 0 to accept, or a v5 CONNACK reason code to refuse
   * (e.g. 0x86 bad user name or password, 0x87 not authorized; 3.1.x clients get the matching
   * return code). Synchronous: it runs before the CONNACK is written.
   */
  authenticate?(info: ConnectInfo): number;
  /** A client's CONNACK (success) has been sent. */
  onConnect?(info: ConnectInfo, sessionPresent: boolean): void;
  /** A connected client's connection ended (`withWill`: its will applies). */
  onDisconnect?(clientId: string, withWill: boolean): void;
}
