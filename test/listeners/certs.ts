/**
 * Test certificates (scripts/make_test_certs.sh, made once into the gitignored build/test-certs)
 * and a few helpers the listener tests share.
 */
import { execFileSync } from "node:child_process";
import { connect as tlsConnect } from "node:tls";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ListenerConfig, ListenerTls } from "../../src/config/listener_config.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** Directory holding the test certificates. */
export const CERTS = join(root, "build/test-certs");
execFileSync("sh", [join(root, "scripts/make_test_certs.sh"), CERTS], { stdio: "inherit" });

/** Path of one file of the test set (ca.crt, server.key, client.crt, ...). */
export const cert = (name: string): string => join(CERTS, name);

/** Server TLS settings, optionally with mutual TLS against the test CA. */
export function serverTls(extra: Partial<ListenerTls> = {}): ListenerTls {
  return { certfile: cert("server.crt"), keyfile: cert("server.key"), cafile: cert("ca.crt"), ...extra };
}

/** A listener on 127.0.0.1 with a free port. */
export function listener(protocol: ListenerConfig["protocol"], extra: Partial<ListenerConfig> = {}): ListenerConfig {
  const tls = protocol === "mqtts" || protocol === "wss" ? { tls: serverTls() } : {};
  return { host: "127.0.0.1", port: 0, protocol, ...tls, ...extra };
}

/** Open file descriptors of this process (Linux). */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** The subject CN of the certificate the TLS server on `port` presents (verified against the test CA). */
export function serverCn(port: number): Promise<string> {
  const ca = readFileSync(cert("ca.crt"));
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: "127.0.0.1", port, servername: "localhost", ca }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.destroy();
      resolve((Array.isArray(cn) ? cn[0] : cn) ?? "");
    });
    s.on("error", reject);
  });
}
