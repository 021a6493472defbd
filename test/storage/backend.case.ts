// The one suite every storage backend passes (memory, SQLite; the cluster's Redis next): the
// operation log's semantics — puts replace, deletes of absent keys do nothing, a session delete
// takes what the session owns, a group replayed gives the same state — checked through load().
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Snapshot, StorageBackend, StoredMessage, StoreOp } from "../../src/storage/types.ts";

/** Makes a fresh, empty backend; `reopen` (when the backend is durable) closes it and opens it again. */
export interface BackendFactory {
  make(): Promise<StorageBackend>;
  reopen?(b: StorageBackend): Promise<StorageBackend>;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function msg(topic: string, payload: string, over: Partial<StoredMessage> = {}): StoredMessage {
  return { topic: bytes(topic), props: new Uint8Array(0), payload: bytes(payload), qos: 1, retain: true, expiresAt: 0, ...over };
}

async function commit(b: StorageBackend, ops: StoreOp[]): Promise<void> {
  await b.commit(ops);
}

/** Snapshot in a comparable, order-independent shape. */
function shape(s: Snapshot) {
  return {
    retained: s.retained.map((m) => ({ ...m, topic: text(m.topic), payload: text(m.payload), props: [...m.props] }))
      .sort((a, b) => a.topic.localeCompare(b.topic)),
    sessions: s.sessions.map((x) => ({ ...x, subscriptions: [...x.subscriptions].sort((a, b) => a.filter.localeCompare(b.filter)) }))
      .sort((a, b) => a.session.clientId.localeCompare(b.session.clientId)),
    messages: [...s.messages.entries()].map(([id, m]) => [id, text(m.topic), text(m.payload)]).sort((a, b) => +a[0] - +b[0]),
  };
}

/** Runs the shared cases against `name`'s backend. */
export function backendSuite(name: string, f: BackendFactory): void {
  /** Commits, then loads (after a reopen when the backend has one: what is on disk counts). */
  async function roundTrip(ops: StoreOp[][]): Promise<Snapshot> {
    let b = await f.make();
    try {
      for (const g of ops) await commit(b, g);
      if (f.reopen) b = await f.reopen(b);
      return await b.load();
    } finally {
      await b.close();
    }
  }

  test(`${name}: a new store is empty`, async () => {
    const s = await roundTrip([]);
    assert.deepEqual(shape(s), { retained: [], sessions: [], messages: [] });
  });

  test(`${name}: retained put replaces per topic, keeps properties and expiry; delete removes`, async () => {
    const props = Uint8Array.of(0x02, 0, 0, 0, 60, 0x03, 0, 3, 0x74, 0x2f, 0x70); // expiry 60 s, content type "t/p"
    const s = await roundTrip([
      [{ op: "retained.put", message: msg("a/b", "one") }, { op: "retained.put", message: msg("a/c", "x") }],
      [{ op: "retained.put", message: msg("a/b", "two", { props, expiresAt: 1_700_000_060_000, qos: 2 }) }],
      [{ op: "retained.delete", topic: bytes("a/c") }, { op: "retained.delete", topic: bytes("never/there") }],
      [{ op: "retained.put", message: msg("ü/€", "ünïcode", { qos: 0, payload: Uint8Array.of(0, 255, 1) }) }],
    ]);
    const r = shape(s).retained;
    assert.equal(r.length, 2);
    assert.deepEqual(r[0], { topic: "a/b", payload: "two", props: [...props], qos: 2, retain: true, expiresAt: 1_700_000_060_000 });
    assert.equal(r[1].topic, "ü/€");
    assert.deepEqual([...s.retained.find((m) => text(m.topic) === "ü/€")!.payload], [0, 255, 1]);
  });

  test(`${name}: sessions with subscriptions (options, ids, shared groups); delete takes everything`, async () => {
    const s = await roundTrip([[
      { op: "session.put", row: { clientId: "c1", expiryInterval: 0xffffffff, expiresAt: 0, lastSeen: 5 } },
      { op: "subscription.put", row: { clientId: "c1", filter: "a/#", options: 1 | 4 | 8 | 32, subscriptionId: 7 } },
      { op: "subscription.put", row: { clientId: "c1", filter: "$share/g/x/+", options: 2, subscriptionId: 0 } },
      { op: "subscription.put", row: { clientId: "c1", filter: "a/#", options: 2, subscriptionId: 9 } }, // replaces
      { op: "session.put", row: { clientId: "c2", expiryInterval: 60, expiresAt: 123_000, lastSeen: 63_000 } },
      { op: "subscription.put", row: { clientId: "c2", filter: "b", options: 0, subscriptionId: 0 } },
      { op: "inbound.put", clientId: "c2", packetId: 9 },
      { op: "session.put", row: { clientId: "gone", expiryInterval: 10, expiresAt: 0, lastSeen: 0 } },
      { op: "subscription.put", row: { clientId: "gone", filter: "z", options: 1, subscriptionId: 0 } },
    ], [
      { op: "subscription.delete", clientId: "c1", filter: "nope" },
      { op: "session.delete", clientId: "gone" },
      { op: "session.delete", clientId: "never-there" },
      { op: "session.put", row: { clientId: "c2", expiryInterval: 60, expiresAt: 0, lastSeen: 70_000 } }, // keeps its rows
    ]]);
    const ss = shape(s).sessions;
    assert.deepEqual(ss.map((x) => x.session.clientId), ["c1", "c2"]);
    assert.deepEqual(ss[0].subscriptions, [
      { clientId: "c1", filter: "$share/g/x/+", options: 2, subscriptionId: 0 },
      { clientId: "c1", filter: "a/#", options: 2, subscriptionId: 9 },
    ]);
    assert.deepEqual(ss[1].session, { clientId: "c2", expiryInterval: 60, expiresAt: 0, lastSeen: 70_000 });
    assert.deepEqual(ss[1].subscriptions.map((x) => x.filter), ["b"]);
    assert.deepEqual(ss[1].inbound, [9]);
  });

  test(`${name}: a session put again after a delete starts empty`, async () => {
    const row = { clientId: "c", expiryInterval: 5, expiresAt: 0, lastSeen: 0 };
    const s = await roundTrip([[
      { op: "session.put", row }, { op: "subscription.put", row: { clientId: "c", filter: "t", options: 1, subscriptionId: 0 } },
      { op: "session.delete", clientId: "c" }, { op: "session.put", row },
    ]]);
    assert.equal(s.sessions.length, 1);
    assert.deepEqual(s.sessions[0].subscriptions, []);
  });

  test(`${name}: rows of a session that was never put are not restored`, async () => {
    const s = await roundTrip([[
      { op: "subscription.put", row: { clientId: "orphan", filter: "t", options: 1, subscriptionId: 0 } },
      { op: "inbound.put", clientId: "orphan", packetId: 1 },
    ]]);
    assert.deepEqual(s.sessions, []);
  });

  test(`${name}: outbound entries in order with their messages, packet ids, states and subscription ids`, async () => {
    const s = await roundTrip([[
      { op: "session.put", row: { clientId: "c", expiryInterval: 0xffffffff, expiresAt: 0, lastSeen: 0 } },
      { op: "message.put", id: 1, message: msg("t/1", "m1", { retain: false }) },
      { op: "message.put", id: 2, message: msg("t/2", "m2", { retain: false, qos: 2 }) },
      { op: "message.put", id: 3, message: msg("t/3", "unreferenced") },
      { op: "outbound.put", row: { clientId: "c", seq: 11, messageId: 2, qos: 2, retain: false, packetId: 0, state: 0, subIds: [3, 4] } },
      { op: "outbound.put", row: { clientId: "c", seq: 10, messageId: 1, qos: 1, retain: true, packetId: 0, state: 0, subIds: null } },
    ], [
      { op: "outbound.put", row: { clientId: "c", seq: 10, messageId: 1, qos: 1, retain: true, packetId: 77, state: 1, subIds: null } },
      { op: "outbound.put", row: { clientId: "c", seq: 12, messageId: 1, qos: 1, retain: false, packetId: 0, state: 0, subIds: null } },
      { op: "outbound.delete", clientId: "c", seq: 12 },
      { op: "outbound.delete", clientId: "c", seq: 99 },
    ]]);
    const out = s.sessions[0].outbound;
    assert.deepEqual(out.map((r) => [r.seq, r.messageId, r.qos, r.retain, r.packetId, r.state, r.subIds]), [
      [10, 1, 1, true, 77, 1, null],
      [11, 2, 2, false, 0, 0, [3, 4]],
    ]);
    assert.deepEqual(shape(s).messages, [[1, "t/1", "m1"], [2, "t/2", "m2"]]);
    assert.equal(s.messages.get(2)!.qos, 2);
    assert.equal(s.messages.get(2)!.retain, false);
  });

  test(`${name}: inbound QoS 2 ids and wills put and delete`, async () => {
    const will = { clientId: "c", message: msg("w", "bye", { qos: 1, retain: false }), delay: 30, dueAt: 0 };
    const s = await roundTrip([[
      { op: "session.put", row: { clientId: "c", expiryInterval: 100, expiresAt: 0, lastSeen: 0 } },
      { op: "session.put", row: { clientId: "d", expiryInterval: 100, expiresAt: 0, lastSeen: 0 } },
      { op: "inbound.put", clientId: "c", packetId: 3 }, { op: "inbound.put", clientId: "c", packetId: 1 },
      { op: "inbound.put", clientId: "c", packetId: 3 }, { op: "inbound.put", clientId: "c", packetId: 2 },
      { op: "will.put", row: will }, { op: "will.put", row: { ...will, clientId: "d" } },
    ], [
      { op: "inbound.delete", clientId: "c", packetId: 2 }, { op: "inbound.delete", clientId: "c", packetId: 40 },
      { op: "will.put", row: { ...will, dueAt: 1_000_000 } }, { op: "will.delete", clientId: "d" },
    ]]);
    const c = s.sessions.find((x) => x.session.clientId === "c")!;
    assert.deepEqual(c.inbound, [1, 3]);
    assert.equal(c.will!.dueAt, 1_000_000);
    assert.equal(c.will!.delay, 30);
    assert.equal(text(c.will!.message.payload), "bye");
    assert.equal(c.will!.message.retain, false);
    assert.equal(s.sessions.find((x) => x.session.clientId === "d")!.will, null);
  });

  test(`${name}: a group committed twice leaves the same state (idempotent log)`, async () => {
    const group: StoreOp[] = [
      { op: "retained.put", message: msg("r", "1") },
      { op: "session.put", row: { clientId: "c", expiryInterval: 9, expiresAt: 0, lastSeen: 0 } },
      { op: "subscription.put", row: { clientId: "c", filter: "t", options: 1, subscriptionId: 0 } },
      { op: "message.put", id: 5, message: msg("t", "p") },
      { op: "outbound.put", row: { clientId: "c", seq: 1, messageId: 5, qos: 1, retain: false, packetId: 0, state: 0, subIds: null } },
      { op: "retained.delete", topic: bytes("r") },
      { op: "retained.put", message: msg("r2", "2") },
    ];
    const once = shape(await roundTrip([group]));
    const twice = shape(await roundTrip([group, group]));
    assert.deepEqual(twice, once);
    assert.deepEqual(once.retained.map((m) => m.topic), ["r2"]);
  });
}
