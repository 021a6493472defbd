/**
 * One listener of the broker: where it binds and which protocol it speaks. Both config syntaxes
 * (JSON `listeners`, mosquitto.conf `listener` blocks) produce a list of these; the listener
 * layer (src/listeners/) turns each into a runtime server. The broker core only learns which
 * kind a client came from as a field on its connection.
 */

/** Wire protocols a listener can speak. */
export type ListenerProtocol = "mqtt" | "mqtts" | "ws" | "wss" | "http";

/** TLS settings of an `mqtts` / `wss` listener (paths to PEM files). */
export interface ListenerTls {
  /** Certificate (chain) PEM file. */
  certfile: string;
  /** Private key PEM file (must match certfile). */
  keyfile: string;
  /** CA PEM file used to verify client certificates (required with requireCertificate). */
  cafile?: string;
  /** Directory of CA PEM files (mosquitto `capath`). */
  capath?: string;
  /** Mutual TLS: refuse a client without a certificate signed by the CA in the handshake. */
  requireCertificate?: boolean;
  /** The client certificate's subject CN becomes the MQTT username. */
  useIdentityAsUsername?: boolean;
  /** Lowest TLS version accepted: "tlsv1.2" (default) or "tlsv1.3". */
  tlsVersion?: "tlsv1.2" | "tlsv1.3";
}

/** One listener. */
export interface ListenerConfig {
  /** TCP port (0 = any free port). */
  port: number;
  /** Address to bind. */
  host: string;
  protocol: ListenerProtocol;
  /** Present for mqtts / wss. */
  tls?: ListenerTls;
  /** ws / wss: serve MQTT only on this HTTP path (default: any path, like Mosquitto). */
  path?: string;
  /** Connections this listener accepts at once, 0 = only the broker-wide limit. */
  maxConnections?: number;
  /** Where this listener was declared ("file:line"), for error messages. */
  origin?: string;
}
