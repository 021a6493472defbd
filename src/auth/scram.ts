/**
 * SCRAM-SHA-512 (RFC 5802 with RFC 7677's hash), server side, over a Mosquitto password file: a
 * `$7$` entry's hash is PBKDF2-HMAC-SHA512(password, salt, iterations), exactly SCRAM's
 * SaltedPassword, so the keys derive from it and the client never sends its password.
 *
 *   client-first   n,,n=USER,r=CNONCE                      (gs2 header "n,,": no channel binding)
 *   server-first   r=CNONCE+SNONCE,s=SALT,i=ITERATIONS
 *   client-final   c=biws,r=CNONCE+SNONCE,p=PROOF
 *   server-final   v=SERVER-SIGNATURE
 *
 * ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey = H(ClientKey),
 * ServerKey = HMAC(SaltedPassword, "Server Key"), AuthMessage = client-first-bare + "," +
 * server-first + "," + client-final-without-proof, ClientSignature = HMAC(StoredKey, AuthMessage),
 * ClientProof = ClientKey XOR ClientSignature, ServerSignature = HMAC(ServerKey, AuthMessage).
 * An unknown user (or a $6$ one, which has no SaltedPassword) gets a made-up salt and fails at the
 * proof, so the exchange does not tell which user names exist (RFC 5802 §5.1).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import type { PasswordFile } from "./password_file.ts";

/** The MQTT 5 Authentication Method name. */
export const SCRAM_SHA_512 = "SCRAM-SHA-512";

const utf8 = new TextEncoder();
const text = new TextDecoder("utf-8", { fatal: true });
/** Key for made-up salts of unknown users: stable for the process, secret. */
const FAKE_SALT_KEY = randomBytes(32);
/** Iterations shown for unknown users (mosquitto_passwd's default, like most real entries). */
const FAKE_ITERATIONS = 101;

const hmac = (key: Uint8Array, data: string | Uint8Array) => new Uint8Array(createHmac("sha512", key).update(data).digest());
const sha512 = (data: Uint8Array) => new Uint8Array(createHash("sha512").update(data).digest());
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/** Splits "a=1,b=2" into attributes; null when malformed. */
function attributes(s: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const part of s.split(",")) {
    if (part.length < 2 || part[1] !== "=" || out.has(part[0])) return null;
    out.set(part[0], part.slice(2));
  }
  return out;
}

/** RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is malformed. */
function saslName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replaceAll("=2C", ",").replaceAll("=3D", "=");
}

/** The outcome of one step: bytes to send, or a failure. */
export type ScramStep = { ok: true; data: Uint8Array } | { ok: false; reason: string };

/** One SCRAM exchange on the server. */
export class ScramServer {
  /** The authenticated (or claimed, until finish succeeds) user name. */
  user = "";
  private clientFirstBare = "";
  private serverFirst = "";
  private nonce = "";
  private saltedPassword: Uint8Array | null = null;
  private fakeSalt: Uint8Array | null = null;

  constructor(private readonly passwords: PasswordFile | null) {}

  /** client-first → server-first. */
  start(data: Uint8Array | undefined): ScramStep {
    const msg = decodeMessage(data);
    if (msg === null) return { ok: false, reason: "client-first is not UTF-8" };
    if (!msg.startsWith("n,")) return { ok: false, reason: "channel binding is not supported (gs2 header must be \"n,,\")" };
    const comma = msg.indexOf(",", 2);
    if (comma < 0 || comma !== 2) return { ok: false, reason: "authzid is not supported" };
    this.clientFirstBare = msg.slice(3);
    const a = attributes(this.clientFirstBare);
    const name = a?.get("n"), cnonce = a?.get("r");
    if (a === null || a.has("m") || name === undefined || cnonce === undefined || cnonce === "" || /[^\x21-\x2b\x2d-\x7e]/.test(cnonce)) {
      return { ok: false, reason: "malformed client-first message" };
    }
    const user = saslName(name);
    if (user === null || user === "") return { ok: false, reason: "malformed user name" };
    this.user = user;
    const entry = this.passwords?.users.get(user);
    let salt: Uint8Array, iterations: number;
    if (entry !== undefined && entry.kind === 7) {
      this.saltedPassword = entry.hash;
      salt = entry.salt;
      iterations = entry.iterations;
    } else {
      salt = this.fakeSalt = hmac(FAKE_SALT_KEY, user).subarray(0, 12);
      iterations = FAKE_ITERATIONS;
    }
    this.nonce = cnonce + Buffer.from(randomBytes(18)).toString("base64");
    this.serverFirst = `r=${this.nonce},s=${b64(salt)},i=${iterations}`;
    return { ok: true, data: utf8.encode(this.serverFirst) };
  }

  /** client-final → server-final (the proof checked). */
  finish(data: Uint8Array | undefined): ScramStep {
    const msg = decodeMessage(data);
    if (msg === null) return { ok: false, reason: "client-final is not UTF-8" };
    const at = msg.lastIndexOf(",p=");
    const a = at < 0 ? null : attributes(msg);
    if (a === null) return { ok: false, reason: "malformed client-final message" };
    if (a.get("c") !== "biws") return { ok: false, reason: "channel binding mismatch" }; // base64("n,,")
    if (a.get("r") !== this.nonce) return { ok: false, reason: "nonce mismatch" };
    const proof = Buffer.from(a.get("p")!, "base64");
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${msg.slice(0, at)}`;
    const salted = this.saltedPassword;
    if (salted === null || proof.length !== 64) return { ok: false, reason: "authentication failed" };
    const clientKeyExpected = hmac(salted, "Client Key");
    const storedKey = sha512(clientKeyExpected);
    const signature = hmac(storedKey, authMessage);
    const clientKey = new Uint8Array(64);
    for (let i = 0; i < 64; i++) clientKey[i] = proof[i] ^ signature[i];
    if (!timingSafeEqual(sha512(clientKey), storedKey)) return { ok: false, reason: "authentication failed" };
    const serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
    return { ok: true, data: utf8.encode(`v=${b64(serverSignature)}`) };
  }
}

/** A SCRAM message's text, or null when it is not UTF-8. */
function decodeMessage(data: Uint8Array | undefined): string | null {
  try {
    return text.decode(data ?? new Uint8Array(0));
  } catch {
    return null;
  }
}
