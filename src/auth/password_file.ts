/**
 * Mosquitto's password file, read unchanged (the layout of Mosquitto 2.0's
 * apps/mosquitto_passwd/mosquitto_passwd.c and src/security_default.c):
 *
 *   user:$7$ITERATIONS$SALT$HASH   PBKDF2-HMAC-SHA512(password, salt, iterations, 64 bytes)
 *   user:$6$SALT$HASH              SHA-512(password ‖ salt)
 *
 * SALT is the base64 of 12 random bytes, HASH the base64 of 64 bytes. Lines starting with '#'
 * and blank lines are skipped. Mosquitto drops a broken entry with a log line and goes on; Vireo
 * refuses the whole file (FILE:LINE) instead, so a typo never silently locks a user out or, worse,
 * leaves an old rule in force.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { ConfigError, readConfigText } from "../config/validate.ts";

/** Salt length Mosquitto writes and requires (bytes). */
export const SALT_LENGTH = 12;
/** SHA-512 output length (bytes). */
export const HASH_LENGTH = 64;
/** Iterations `mosquitto_passwd` uses for $7$ unless told otherwise (PW_DEFAULT_ITERATIONS). */
export const DEFAULT_ITERATIONS = 101;
/** Successful verifications remembered per file before the cache starts over. */
const CACHE_LIMIT = 100_000;

/** One user's stored credentials. */
export interface PasswordEntry {
  /** 6 = salted SHA-512, 7 = PBKDF2-HMAC-SHA512. */
  readonly kind: 6 | 7;
  /** PBKDF2 iterations ($7$); 1 for $6$. */
  readonly iterations: number;
  readonly salt: Uint8Array;
  /** The 64-byte digest; for $7$ it is exactly SCRAM's SaltedPassword (RFC 5802 §3). */
  readonly hash: Uint8Array;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes standard base64 strictly (Buffer.from silently skips bad characters). */
function base64(s: string): Uint8Array | null {
  if (!B64.test(s) || s.length % 4 !== 0) return null;
  return new Uint8Array(Buffer.from(s, "base64"));
}

/** Parses the part after `user:`; returns the entry or why it is not one. */
export function parseHash(field: string): PasswordEntry | string {
  const parts = field.split("$");
  // "$7$101$salt$hash".split("$") → ["", "7", "101", "salt", "hash"]
  if (parts[0] !== "") return "hash must start with $6$ or $7$";
  let kind: 6 | 7, iterations = 1, at = 2;
  if (parts[1] === "6" && parts.length === 4) kind = 6;
  else if (parts[1] === "7" && parts.length === 5) {
    kind = 7;
    if (!/^\d{1,9}$/.test(parts[2]) || Number(parts[2]) < 1) return `bad iteration count "${parts[2]}"`;
    iterations = Number(parts[2]);
    at = 3;
  } else return "hash must be $6$SALT$HASH or $7$ITERATIONS$SALT$HASH";
  const salt = base64(parts[at]);
  if (salt === null || salt.length !== SALT_LENGTH) return `salt must be base64 of ${SALT_LENGTH} bytes`;
  const hash = base64(parts[at + 1]);
  if (hash === null || hash.length !== HASH_LENGTH) return `hash must be base64 of ${HASH_LENGTH} bytes`;
  return { kind, iterations, salt, hash };
}

/** Formats an entry the way mosquitto_passwd writes it (without the user). */
export function formatHash(e: PasswordEntry): string {
  const salt = Buffer.from(e.salt).toString("base64"), hash = Buffer.from(e.hash).toString("base64");
  return e.kind === 7 ? `$7$${e.iterations}$${salt}$${hash}` : `$6$${salt}$${hash}`;
}

/** PBKDF2-HMAC-SHA512 on the thread pool (the event loop keeps serving other clients). */
export function pbkdf2Sha512(password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, HASH_LENGTH, "sha512", (err, key) => {
      if (err) reject(err);
      else resolve(new Uint8Array(key));
    });
  });
}

/** The digest a password gives under `e`'s scheme and salt. */
export async function digest(e: Pick<PasswordEntry, "kind" | "iterations" | "salt">, password: Uint8Array): Promise<Uint8Array> {
  if (e.kind === 6) return new Uint8Array(createHash("sha512").update(password).update(e.salt).digest());
  return await pbkdf2Sha512(password, e.salt, e.iterations);
}

/** A fresh $7$ entry for `password` (what `vireo passwd` writes). */
export async function hashPassword(password: Uint8Array, iterations = DEFAULT_ITERATIONS, kind: 6 | 7 = 7): Promise<PasswordEntry> {
  const salt = new Uint8Array(randomBytes(SALT_LENGTH));
  const it = kind === 7 ? iterations : 1;
  return { kind, iterations: it, salt, hash: await digest({ kind, iterations: it, salt }, password) };
}

/** Mosquitto compares C strings: a password ends at its first NUL byte. */
function cString(b: Uint8Array): Uint8Array {
  const z = b.indexOf(0);
  return z < 0 ? b : b.subarray(0, z);
}

/** A parsed password file plus a cache of verifications that succeeded. */
export class PasswordFile {
  /**
   * Keys of verifications that succeeded: HMAC(user ‖ password) under a key made at start, so a
   * reconnect storm costs one HMAC per CONNECT rather than a PBKDF2, and the cache holds nothing
   * a memory dump could turn back into a password cheaply.
   */
  private readonly verified = new Set<string>();
  private readonly cacheKey = randomBytes(32);

  constructor(readonly users: ReadonlyMap<string, PasswordEntry>, readonly path = "") {}

  /** Parses file text. @throws ConfigError naming `path:line`. */
  static parse(text: string, path: string): PasswordFile {
    const users = new Map<string, PasswordEntry>();
    const lines = text.split("\n");
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n].replace(/\r$/, "");
      if (line.trim() === "" || line.startsWith("#")) continue;
      const where = `${path}:${n + 1}`;
      const colon = line.indexOf(":");
      if (colon < 0) throw new ConfigError(`${where}: expected user:hash`);
      const user = line.slice(0, colon).trim();
      if (user === "") throw new ConfigError(`${where}: empty user name`);
      const e = parseHash(line.slice(colon + 1).trim());
      if (typeof e === "string") throw new ConfigError(`${where}: user "${user}": ${e}`);
      if (users.has(user)) throw new ConfigError(`${where}: user "${user}" appears twice`);
      users.set(user, e);
    }
    return new PasswordFile(users, path);
  }

  /** Reads and parses `path`. @throws ConfigError (unreadable file or bad line). */
  static load(path: string): PasswordFile {
    return PasswordFile.parse(readConfigText(path, (why) => `${path}: cannot read password file: ${why}`), path);
  }

  /** Whether `user` has the same entry (hash, salt, iterations) in `other` as here. */
  sameEntry(user: string, other: PasswordFile | null): boolean {
    const a = this.users.get(user), b = other?.users.get(user);
    if (a === undefined || b === undefined) return false;
    return a.kind === b.kind && a.iterations === b.iterations && bytesEqual(a.salt, b.salt) && bytesEqual(a.hash, b.hash);
  }

  /** Whether `password` is `user`'s. Unknown user: false (after the same kind of work). */
  async verify(user: string, password: Uint8Array): Promise<boolean> {
    const pw = cString(password);
    const key = createHmac("sha256", this.cacheKey).update(user).update("\0").update(pw).digest("base64");
    if (this.verified.has(key)) return true;
    const e = this.users.get(user);
    if (e === undefined) return false;
    const got = await digest(e, pw);
    if (!timingSafeEqual(got, e.hash)) return false;
    if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
    this.verified.add(key);
    return true;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
