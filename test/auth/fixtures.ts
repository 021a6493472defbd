/**
 * Files for access-control tests: a password file made by Debian's mosquitto_passwd ($7$ and $6$
 * users) and an ACL file, in a temporary directory the caller removes.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import type { MqttClient } from "mqtt";
import { connectPacket, type RawClient, type RawPool } from "../helpers/raw.ts";

/** The ACL every deny-matrix test uses. */
export const ACL = `# anonymous clients
topic read public/#

user admin
topic readwrite #
topic read $SYS/#

user alice
topic readwrite alice/#
topic write shared/in
topic read shared/out
topic deny alice/secret/#
topic write will/alice

user bob
topic read alice/#
topic readwrite bob/#

pattern readwrite devices/%u/#
pattern read clients/%c/inbox
`;

/** Users and their passwords (alice and admin $7$, bob $6$). */
export const USERS = { admin: "adm1n", alice: "al1ce", bob: "b0b" } as const;

/** A temporary directory with `pw` (mosquitto_passwd) and `acl`. */
export interface AuthFiles {
  dir: string;
  passwordFile: string;
  aclFile: string;
  /** Replaces the ACL file's text. */
  writeAcl(text: string): void;
  remove(): void;
}

/** Makes the files with Debian's mosquitto_passwd. */
export function makeAuthFiles(acl = ACL): AuthFiles {
  const dir = mkdtempSync(join(tmpdir(), "vireo-auth-"));
  const passwordFile = join(dir, "pw"), aclFile = join(dir, "acl");
  execFileSync("mosquitto_passwd", ["-c", "-b", passwordFile, "admin", USERS.admin]);
  execFileSync("mosquitto_passwd", ["-b", passwordFile, "alice", USERS.alice]);
  execFileSync("mosquitto_passwd", ["-H", "sha512", "-b", passwordFile, "bob", USERS.bob]);
  writeFileSync(aclFile, acl);
  return {
    dir, passwordFile, aclFile,
    writeAcl: (text) => writeFileSync(aclFile, text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Opens a raw connection and sends CONNECT; resolves with the client and the CONNACK's code. */
export async function rawLogin(
  raw: RawPool, level: number, clientId: string, username?: string, password?: string, extra: Record<string, unknown> = {},
): Promise<{ c: RawClient; code: number }> {
  const c = await raw.open(level);
  const creds: Record<string, unknown> = {};
  if (username !== undefined) creds.username = username;
  if (password !== undefined) creds.password = Buffer.from(password); // mqtt-packet wants a Buffer
  c.sendPacket(connectPacket(clientId, level, { ...creds, ...extra }), level);
  const ack = await c.next("connack", 5000);
  return { c, code: level >= 5 ? ack.reasonCode : ack.returnCode };
}

/** SUBACK codes for a SUBSCRIBE through MQTT.js, refusals included (subscribeAsync rejects on them). */
export async function subscribeCodes(client: MqttClient, topic: string | string[], qos: 0 | 1 | 2 = 0): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topic, { qos })).map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted?: Array<number | { qos: number }> } }).packet;
    if (packet?.granted === undefined) throw err;
    return packet.granted.map((g) => (typeof g === "number" ? g : g.qos));
  }
}
