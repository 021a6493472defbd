/**
 * Reads and checks a TLS listener's PEM files before any runtime sees them, so a missing file, a
 * file that is not PEM, or a key that does not match its certificate is one clear line naming the
 * file rather than a runtime's generic handshake error later (or a listener that never works).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { ListenerConfig, ListenerTls } from "../config/listener_config.ts";
import type { TlsMaterial } from "../transport/types.ts";
import { describeListener, ListenerError } from "./errors.ts";

/** PEM text of a file, or a ListenerError naming it. */
function readPem(l: ListenerConfig, key: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ListenerError(`${describeListener(l)}: ${key} ${path}: cannot read: ${(err as Error).message}`);
  }
  if (!text.includes("-----BEGIN ")) throw new ListenerError(`${describeListener(l)}: ${key} ${path}: not a PEM file`);
  return text;
}

/** Every certificate file (*.pem, *.crt) of a CA directory, concatenated (mosquitto `capath`). */
function readCaDir(l: ListenerConfig, dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(pem|crt)$/.test(n)).sort();
  } catch (err) {
    throw new ListenerError(`${describeListener(l)}: capath ${dir}: cannot read: ${(err as Error).message}`);
  }
  if (names.length === 0) throw new ListenerError(`${describeListener(l)}: capath ${dir}: no .pem or .crt files`);
  return names.map((n) => readPem(l, "capath", join(dir, n))).join("\n");
}

/**
 * The listener's TLS material, read from disk and checked (certificate parses, key parses and
 * matches it, CA present when client certificates are required).
 * @throws ListenerError naming the listener and the file at fault.
 */
export function readTlsMaterial(l: ListenerConfig): TlsMaterial {
  const t: ListenerTls | undefined = l.tls;
  const where = describeListener(l);
  if (t === undefined || !t.certfile || !t.keyfile) throw new ListenerError(`${where}: TLS needs certfile and keyfile`);
  const cert = readPem(l, "certfile", t.certfile), key = readPem(l, "keyfile", t.keyfile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new ListenerError(`${where}: certfile ${t.certfile}: not a certificate: ${(err as Error).message}`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new ListenerError(`${where}: keyfile ${t.keyfile}: not a private key: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new ListenerError(`${where}: keyfile ${t.keyfile} does not match certfile ${t.certfile}`);
  }
  const cas: string[] = [];
  if (t.cafile) cas.push(readPem(l, "cafile", t.cafile));
  if (t.capath) cas.push(readCaDir(l, t.capath));
  const requireCertificate = t.requireCertificate === true;
  // Fail closed: a CN taken from an unverified certificate would let anyone pick a username.
  if (t.useIdentityAsUsername && !requireCertificate) {
    throw new ListenerError(`${where}: useIdentityAsUsername needs requireCertificate (the CN is only trusted from a verified certificate)`);
  }
  if (requireCertificate && cas.length === 0) throw new ListenerError(`${where}: requireCertificate needs cafile or capath`);
  const version = t.tlsVersion ?? "tlsv1.2";
  if (version !== "tlsv1.2" && version !== "tlsv1.3") throw new ListenerError(`${where}: tlsVersion must be tlsv1.2 or tlsv1.3, got ${version}`);
  return {
    cert, key, ca: cas.length === 0 ? undefined : cas.join("\n"), requireCertificate,
    minVersion: version === "tlsv1.3" ? "TLSv1.3" : "TLSv1.2",
  };
}
