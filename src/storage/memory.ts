/**
 * The in-memory backend: the reference implementation of the operation log's semantics (the
 * shared suite runs every backend against the same cases), and the store of embedders and tests
 * that want the log without a file. Nothing survives the process.
 */
import type {
  OutboundRow, SessionRow, Snapshot, StorageBackend, StoredMessage, StoredSession, StoreOp, SubscriptionRow, WillRow,
} from "./types.ts";

const utf8 = new TextDecoder();

/** What one stored session owns. */
interface SessionEntry {
  row: SessionRow;
  subscriptions: Map<string, SubscriptionRow>;
  outbound: Map<number, OutboundRow>;
  inbound: Set<number>;
  will: WillRow | null;
}

/** Operation log applied to maps. */
export class MemoryBackend implements StorageBackend {
  readonly location = "memory";
  private readonly retained = new Map<string, StoredMessage>();
  private readonly messages = new Map<number, StoredMessage>();
  private readonly sessions = new Map<string, SessionEntry>();
  private closed = false;

  commit(ops: readonly StoreOp[]): void {
    if (this.closed) throw new Error("memory storage: closed");
    for (const o of ops) this.apply(o);
  }

  load(): Snapshot {
    const sessions: StoredSession[] = [];
    const referenced = new Map<number, StoredMessage>();
    for (const e of this.sessions.values()) {
      const outbound = [...e.outbound.values()].sort((a, b) => a.seq - b.seq);
      for (const r of outbound) {
        const m = this.messages.get(r.messageId);
        if (m !== undefined) referenced.set(r.messageId, m);
      }
      sessions.push({
        session: { ...e.row }, subscriptions: [...e.subscriptions.values()], outbound,
        inbound: [...e.inbound].sort((a, b) => a - b), will: e.will,
      });
    }
    return { retained: [...this.retained.values()], sessions, messages: referenced };
  }

  close(): void {
    this.closed = true;
  }

  private apply(o: StoreOp): void {
    switch (o.op) {
      case "session.put": {
        const e = this.sessions.get(o.row.clientId);
        if (e !== undefined) e.row = { ...o.row };
        else this.sessions.set(o.row.clientId, { row: { ...o.row }, subscriptions: new Map(), outbound: new Map(), inbound: new Set(), will: null });
        return;
      }
      case "session.delete": return void this.sessions.delete(o.clientId);
      case "subscription.put": return void this.owner(o.row.clientId)?.subscriptions.set(o.row.filter, { ...o.row });
      case "subscription.delete": return void this.owner(o.clientId)?.subscriptions.delete(o.filter);
      case "retained.put": return void this.retained.set(utf8.decode(o.message.topic), o.message);
      case "retained.delete": return void this.retained.delete(utf8.decode(o.topic));
      case "message.put": return void this.messages.set(o.id, o.message);
      case "message.delete": return void this.messages.delete(o.id);
      case "outbound.put": return void this.owner(o.row.clientId)?.outbound.set(o.row.seq, { ...o.row });
      case "outbound.delete": return void this.owner(o.clientId)?.outbound.delete(o.seq);
      case "inbound.put": return void this.owner(o.clientId)?.inbound.add(o.packetId);
      case "inbound.delete": return void this.owner(o.clientId)?.inbound.delete(o.packetId);
      case "will.put": {
        const e = this.owner(o.row.clientId);
        if (e !== undefined) e.will = { ...o.row };
        return;
      }
      case "will.delete": {
        const e = this.owner(o.clientId);
        if (e !== undefined) e.will = null;
        return;
      }
    }
  }

  /** Rows of a session that was never put are ignored (the SQLite backend drops them at load). */
  private owner(clientId: string): SessionEntry | undefined {
    return this.sessions.get(clientId);
  }
}
