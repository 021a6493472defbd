// Session take-over: every combination of the old connection's clean/persistent session × the new
// one's × MQTT 3.1.1 / 5.0 × no will / will / will with delay, in one table. A session whose expiry
// is 0 ends with the connection taken over: it is never resumed (Session Present 0, no
// subscriptions) and its will goes out [MQTT-3.1.2-6] [MQTT-3.2.2-3] (MQTT 5.0 §3.1.4).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { sleep } from "../helpers/broker.ts";
import { collect, subscribe } from "../helpers/mqtt.ts";
import { connectPacket } from "../helpers/raw.ts";
import { withBroker, type World } from "../helpers/setup.ts";

interface Case {
  level: 4 | 5;
  oldClean: boolean;
  newClean: boolean;
  /** undefined: no will; a number: a will with this Will Delay Interval (s; v5 only when > 0). */
  willDelay?: number;
}

const WILL_DELAY_S = 1;

function cases(): Case[] {
  const out: Case[] = [];
  for (const level of [4, 5] as const) {
    const wills = level === 5 ? [undefined, 0, WILL_DELAY_S] : [undefined, 0];
    for (const oldClean of [true, false]) {
      for (const newClean of [true, false]) for (const willDelay of wills) out.push({ level, oldClean, newClean, willDelay });
    }
  }
  return out;
}

const name = (c: Case) =>
  `v${c.level === 5 ? "5" : "3.1.1"} old ${c.oldClean ? "clean" : "persistent"} new ${c.newClean ? "clean" : "persistent"} ` +
  (c.willDelay === undefined ? "no will" : `will delay ${c.willDelay}`);

/** Connect fields for a clean (expiry 0) or persistent (expiry 60 s) session at `level`. */
function sessionFields(level: number, clean: boolean): Record<string, unknown> {
  if (level < 5) return { clean };
  return { clean, properties: { sessionExpiryInterval: clean ? 0 : 60 } };
}

async function connectRaw(w: World, id: string, c: Case, clean: boolean, extra: Record<string, unknown> = {}) {
  const raw = await w.raw.open(c.level);
  raw.sendPacket(connectPacket(id, c.level, { ...sessionFields(c.level, clean), ...extra }), c.level);
  const ack = await raw.next("connack");
  assert.equal(c.level === 5 ? ack.reasonCode : ack.returnCode, 0, name(c));
  return { raw, ack };
}

/** Runs one case; returns what happened, for the table assertion. */
async function runCase(w: World, c: Case, i: number) {
  const id = `t${i}`;
  const will = c.willDelay === undefined ? undefined : {
    topic: `will/${id}`, payload: Buffer.from("gone"), qos: 0, retain: false,
    ...(c.level === 5 ? { properties: { willDelayInterval: c.willDelay } } : {}),
  };
  const a = await connectRaw(w, id, c, c.oldClean, will ? { will } : {});
  a.raw.sendPacket({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: `reuse/${id}`, qos: 1 }] }, c.level);
  await a.raw.next("suback");
  const b = await connectRaw(w, id, c, c.newClean);
  let takenOverReason: number | undefined;
  if (c.level === 5) takenOverReason = (await a.raw.next("disconnect")).reasonCode;
  assert.ok(await a.raw.waitClosed(), `${name(c)}: old connection closed`);
  return { b: b.raw, sessionPresent: b.ack.sessionPresent as boolean, takenOverReason };
}

test("take-over table: a session with expiry 0 ends with its connection; Session Present, subscriptions and wills follow [MQTT-3.1.2-6] [MQTT-3.2.2-3] [MQTT-3.1.4-3] [MQTT-3.1.3-9]", () =>
  withBroker({}, async (w) => {
    const watcher = await w.pool.connect({ clientId: "watcher" });
    const wills = collect(watcher);
    await subscribe(watcher, "will/#", { qos: 0 });
    const all = cases();
    const results = await Promise.all(all.map((c, i) => runCase(w, c, i)));
    const pub = await w.pool.connect({ clientId: "pub" });
    for (let i = 0; i < all.length; i++) await pub.publishAsync(`reuse/t${i}`, "after", { qos: 1 });
    await sleep(WILL_DELAY_S * 1000 + 600); // past every will delay: a will still due would be out by now
    for (let i = 0; i < all.length; i++) {
      const c = all[i], r = results[i];
      const resumes = !c.oldClean && !c.newClean;
      assert.equal(r.sessionPresent, resumes, `${name(c)}: session present`);
      if (c.level === 5) assert.equal(r.takenOverReason, 0x8e, `${name(c)}: DISCONNECT 0x8E to the old connection`);
      const delivered = r.b.packets.filter((p: { cmd: string; topic?: string }) => p.cmd === "publish" && p.topic === `reuse/t${i}`);
      assert.equal(delivered.length, resumes ? 1 : 0, `${name(c)}: message on the old subscription`);
      // The will goes out unless the session continues and its will delay has not passed.
      const willExpected = c.willDelay !== undefined && (!resumes || c.willDelay === 0);
      const willCount = wills.filter((m) => m.topic === `will/t${i}`).length;
      assert.equal(willCount, willExpected ? 1 : 0, `${name(c)}: will published`);
    }
  }));

test("a session taken over from a clean connection holds no subscription of the old one (no message leaks to the new client)", () =>
  withBroker({}, async (w) => {
    const a = await w.pool.connect({ clientId: "same", clean: true, protocolVersion: 5, properties: { sessionExpiryInterval: 0 } });
    await subscribe(a, "reuse/topic", { qos: 1 });
    const b = await w.raw.open(5);
    b.sendPacket(connectPacket("same", 5, { clean: false, properties: { sessionExpiryInterval: 60 } }), 5);
    assert.equal((await b.next("connack")).sessionPresent, false);
    const pub = await w.pool.connect({ clientId: "p" });
    await pub.publishAsync("reuse/topic", "private", { qos: 1 });
    await sleep(200);
    assert.equal(b.packets.filter((p: { cmd: string }) => p.cmd === "publish").length, 0);
    assert.equal(w.b.broker.core.sessions.size, 2, "the old session is gone: only 'same' (new) and 'p' remain");
  }));
