/**
 * Bun's TLS options from our checked material, shared by the mqtts (Bun.listen) and wss
 * (Bun.serve) listeners, and the certificate CN as Bun reports it.
 */
import type { TlsMaterial } from "../transport/types.ts";

/** OpenSSL's SSL_OP_NO_TLSv1_2 (Bun takes OpenSSL option bits as `secureOptions`). */
const SSL_OP_NO_TLSv1_2 = 0x0800_0000;

/** Bun's TLS options for our material (Bun refuses TLS below 1.2 by default). */
export function bunTls(tls: TlsMaterial): Record<string, unknown> {
  return {
    cert: tls.cert, key: tls.key, ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    requestCert: tls.requireCertificate, rejectUnauthorized: tls.requireCertificate,
    ...(tls.minVersion === "TLSv1.3" ? { secureOptions: SSL_OP_NO_TLSv1_2 } : {}),
  };
}

/** A certificate subject's CN (OpenSSL reports a repeated field as an array: take the last). */
export function commonName(cn: string | string[] | undefined): string | undefined {
  return Array.isArray(cn) ? cn[cn.length - 1] : cn;
}
