// use_identity_as_username with access control: the client certificate's CN is the user the ACL
// sees, whatever user name the CONNECT claims, and the password file is not asked about it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import mqtt from "mqtt";
import { startBroker } from "../helpers/broker.ts";
import { cert, listener, serverTls } from "../listeners/certs.ts";
import { makeAuthFiles } from "./fixtures.ts";

const files = makeAuthFiles("user device-7\ntopic readwrite devices/device-7/#\n");
process.on("exit", () => files.remove());

test("mqtts + useIdentityAsUsername: the CN (device-7) is the ACL's user; a claimed user name and a wrong password do not matter", async () => {
  const l = listener("mqtts", { tls: serverTls({ requireCertificate: true, useIdentityAsUsername: true }) });
  const b = await startBroker({ listeners: [l], passwordFile: files.passwordFile, aclFile: files.aclFile });
  const client = mqtt.connect({
    protocol: "mqtts", host: "localhost", port: b.listeners[0].port, ca: readFileSync(cert("ca.crt")),
    cert: readFileSync(cert("client.crt")), key: readFileSync(cert("client.key")),
    clientId: "dev", username: "alice", password: "not-alices", protocolVersion: 5, reconnectPeriod: 0,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    const puback = (topic: string) => new Promise<number>((resolve) => {
      client.publish(topic, "x", { qos: 1 }, (err, packet) => resolve(err ? ((err as { code?: number }).code ?? 0x80) : ((packet as { reasonCode?: number })?.reasonCode ?? 0)));
    });
    assert.ok((await puback("devices/device-7/t")) < 0x80); // device-7's rule
    assert.equal(await puback("alice/t"), 0x87); // alice's rules are not the CN's
  } finally {
    await new Promise<void>((r) => client.end(true, {}, () => r()));
    await b.close();
  }
});
