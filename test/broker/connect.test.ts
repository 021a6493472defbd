// CONNECT / CONNACK for 3.1, 3.1.1 and 5.0: return and reason codes, client identifier rules,
// CONNACK properties, and what happens when the first or second packet is wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withBroker } from "../helpers/setup.ts";
import { connectPacket } from "../helpers/raw.ts";

test("MQTT 3.1 (MQIsdp, level 3) CONNECT is accepted with return code 0", () =>
  withBroker({}, async ({ raw }) => {
    const c = await raw.open(3);
    c.sendPacket(connectPacket("v31-client", 3), 3);
    const ack = await c.next("connack");
    assert.equal(ack.returnCode, 0);
    assert.equal(ack.sessionPresent, false);
  }));

test("MQTT 3.1: a client id longer than 23 characters is rejected with return code 2", () =>
  withBroker({}, async ({ raw }) => {
    const c = await raw.open(3);
    c.sendPacket(connectPacket("x".repeat(24), 3), 3);
    assert.equal((await c.next("connack")).returnCode, 2);
    assert.ok(await c.waitClosed());
  }));

test("3.1.1: empty client id with clean session 0 → return code 2 and close [MQTT-3.1.3-8]", () =>
  withBroker({}, async ({ raw }) => {
    const c = await raw.open(4);
    // CONNECT "MQTT" level 4, flags 0x00 (clean session 0), keep-alive 0, client id "" (mqtt-packet refuses to build it)
    c.send([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert.equal((await c.next("connack")).returnCode, 2);
    assert.ok(await c.waitClosed());
  }));

test("3.1.1: empty client id with clean session 1 is accepted (server assigns one) [MQTT-3.1.3-6]", () =>
  withBroker({}, async ({ raw }) => {
    const c = await raw.open(4);
    c.sendPacket(connectPacket("", 4, { clean: true }));
    assert.equal((await c.next("connack")).returnCode, 0);
  }));

test("5.0: empty client id gets an Assigned Client Identifier [MQTT-3.2.2-16]", () =>
  withBroker({}, async ({ raw }) => {
    const c = await raw.open(5);
    c.sendPacket(connectPacket("", 5), 5);
    const ack = await c.next("connack");
    assert.equal(ack.reasonCode, 0);
    assert.equal(typeof ack.properties?.assignedClientIdentifier, "string");
    assert.ok(ack.properties.assignedClientIdentifier.length > 0);
  }));

test("5.0: CONNACK announces the server's limits and capabilities", () =>
  withBroker({
    receiveMaximum: 20, maxPacketSize: 4096, topicAliasMaximum: 7, maxKeepAlive: 30,
    retainAvailable: false, wildcardSubscriptionAvailable: false, subscriptionIdentifierAvailable: false,
    sharedSubscriptionAvailable: false, sessionExpiryMaximum: 100,
  }, async ({ raw }) => {
    const c = await raw.open(5);
    c.sendPacket(connectPacket("caps", 5, { keepalive: 120, properties: { sessionExpiryInterval: 1000 } }), 5);
    const p = (await c.next("connack")).properties;
    assert.equal(p.receiveMaximum, 20);
    assert.equal(p.maximumPacketSize, 4096);
    assert.equal(p.topicAliasMaximum, 7);
    assert.equal(p.serverKeepAlive, 30); // capped [MQTT-3.2.2-21]
    assert.equal(p.sessionExpiryInterval, 100); // capped
    assert.equal(p.retainAvailable, false);
    assert.equal(p.wildcardSubscriptionAvailable, false);
    assert.equal(p.subscriptionIdentifiersAvailable, false);
    assert.equal(p.sharedSubscriptionAvailable, false);
  }));

test("5.0: no Server Keep Alive when the client's keep-alive is within the cap", () =>
  withBroker({ maxKeepAlive: 30 }, async ({ raw }) => {
    const c = await raw.open(5);
    c.sendPacket(connectPacket("ka", 5, { keepalive: 20 }), 5);
    const ack = await c.next("connack");
    assert.equal(ack.reasonCode, 0);
    assert.equal(ack.properties?.serverKeepAlive, undefined);
  }));

for (const level of [4, 5]) {
  test(`v${level}: a second CONNECT is a protocol error [MQTT-3.1.0-2]`, () =>
    withBroker({}, async ({ raw }) => {
      const c = await raw.open(level);
      c.sendPacket(connectPacket(`twice${level}`, level), level);
      await c.next("connack");
      c.sendPacket(connectPacket(`twice${level}`, level), level);
      if (level === 5) assert.equal((await c.next("disconnect")).reasonCode, 0x82);
      assert.ok(await c.waitClosed());
    }));
}

test("the first packet must be CONNECT: anything else closes the connection [MQTT-3.1.0-1]", () =>
  withBroker({}, async ({ raw }) => {
    const c = await raw.open(4);
    c.sendPacket({ cmd: "pingreq" });
    assert.ok(await c.waitClosed());
    assert.equal(c.packets.length, 0);
  }));

test("garbage before CONNECT closes the connection", () =>
  withBroker({}, async ({ raw }) => {
    const c = await raw.open(4);
    c.send([0x00, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x13, 0x37]);
    assert.ok(await c.waitClosed());
    assert.equal(c.received, 0);
  }));

test("an unsupported protocol level gets return code 1 and a close [MQTT-3.1.2-2]", () =>
  withBroker({}, async ({ raw }) => {
    const c = await raw.open(4);
    // CONNECT, protocol name "MQTT", level 9, flags 0x02, keep-alive 0, client id "x"
    c.send([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x09, 0x02, 0x00, 0x00, 0x00, 0x01, 0x78]);
    assert.equal((await c.next("connack")).returnCode, 1);
    assert.ok(await c.waitClosed());
  }));

test("MQTT.js 3.1.1 and 5.0 clients connect; the connection count is tracked", () =>
  withBroker({}, async ({ b, pool }) => {
    await pool.connect({ protocolVersion: 4, clientId: "js4" });
    await pool.connect({ protocolVersion: 5, clientId: "js5" });
    assert.equal(b.broker.stats.clients, 2);
  }));

test("a client id connecting again takes the session over: the old connection is closed [MQTT-3.1.4-3]", () =>
  withBroker({}, async ({ raw }) => {
    const old = await raw.open(5);
    old.sendPacket(connectPacket("same", 5), 5);
    await old.next("connack");
    const fresh = await raw.open(5);
    fresh.sendPacket(connectPacket("same", 5), 5);
    assert.equal((await fresh.next("connack")).reasonCode, 0);
    assert.equal((await old.next("disconnect")).reasonCode, 0x8e);
    assert.ok(await old.waitClosed());
    assert.equal(fresh.closed, false);
  }));

test("a connection that sends no CONNECT within connectTimeoutMs is closed", () =>
  withBroker({ connectTimeoutMs: 300, keepAliveTickMs: 50 }, async ({ raw }) => {
    const c = await raw.open(4);
    const started = Date.now();
    assert.ok(await c.waitClosed(3000));
    assert.ok(Date.now() - started >= 250);
  }));

test("maxConnections: connections beyond the limit are closed at once", () =>
  withBroker({ maxConnections: 1 }, async ({ raw }) => {
    const first = await raw.open(4);
    first.sendPacket(connectPacket("first", 4));
    await first.next("connack");
    const second = await raw.open(4);
    assert.ok(await second.waitClosed());
    assert.equal(first.closed, false);
  }));

test("v5 take-over with clean start 0 resumes the session (subscriptions kept, session present 1)", () =>
  withBroker({}, async ({ raw, pool }) => {
    const old = await raw.open(5);
    // Session Expiry > 0: a session with expiry 0 would end with the connection taken over (takeover.test.ts).
    old.sendPacket(connectPacket("same", 5, { clean: false, properties: { sessionExpiryInterval: 60 } }), 5);
    await old.next("connack");
    old.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "kept", qos: 1 }] }, 5);
    await old.next("suback");
    const fresh = await raw.open(5);
    fresh.sendPacket(connectPacket("same", 5, { clean: false }), 5);
    assert.equal((await fresh.next("connack")).sessionPresent, true);
    const pub = await pool.connect({ clientId: "p" });
    await pub.publishAsync("kept", "x", { qos: 1 });
    assert.equal(String((await fresh.next("publish")).payload), "x");
  }));
