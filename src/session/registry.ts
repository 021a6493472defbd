/**
 * All sessions, by client id and by subscriber id (the dense integer the WASM topic index stores).
 * Subscriber ids are recycled when a session ends so the index's tables stay small.
 */
import { Session, type SessionContext } from "./session.ts";
import type { AccessEntry, ClientAccess } from "../auth/client_access.ts";

/** Sessions of one broker. */
export class SessionRegistry {
  private readonly byClientId = new Map<string, Session>();
  /** Index = subscriber id; holes are ended sessions whose id is in `free`. */
  private readonly bySid: Array<Session | undefined> = [];
  private readonly free: number[] = [];
  /** True while access control gates topics: then `access` holds each session's entry. */
  gated = false;
  /**
   * Access answers by subscriber id (see AccessEntry: null = not checked, undefined = unknown,
   * denied). Kept here rather than on Session so a session stays within 12 fields (JSC rounds
   * objects of 7-12 inline slots to 112 bytes, 13-18 to 160).
   */
  readonly access: AccessEntry[] = [];

  constructor(private readonly ctx: SessionContext) {}

  /** Number of sessions (connected or not). */
  get size(): number {
    return this.byClientId.size;
  }

  /** The session of `clientId`, if any. */
  get(clientId: string): Session | undefined {
    return this.byClientId.get(clientId);
  }

  /** The session with subscriber id `sid`, if any (hot path: one array read). */
  bySubscriber(sid: number): Session | undefined {
    return this.bySid[sid];
  }

  /** Creates a session for `clientId` (which must not have one). */
  create(clientId: string): Session {
    const sid = this.free.length > 0 ? this.free.pop()! : this.bySid.length;
    const s = new Session(clientId, sid, this.ctx);
    this.bySid[sid] = s;
    this.byClientId.set(clientId, s);
    return s;
  }

  /** Forgets `s` (its subscriptions must already be removed from the topic index). */
  remove(s: Session): void {
    if (this.byClientId.get(s.clientId) !== s) return;
    this.byClientId.delete(s.clientId);
    this.bySid[s.sid] = undefined;
    if (s.sid < this.access.length) this.access[s.sid] = undefined; // the id's next owner starts unknown
    this.free.push(s.sid);
  }

  /**
   * Gives `s` its access answers (at a connect, a restore), its subscription filters reviewed for
   * deliveries that need no read check.
   */
  setAccess(s: Session, a: ClientAccess): void {
    this.access[s.sid] = a;
    a.reviewReads(s.subscriptions.keys());
  }

  /** New rules (a reload): every session's filters are reviewed again. */
  reviewAccess(): void {
    for (const s of this.byClientId.values()) {
      const a = this.access[s.sid];
      if (a) a.reviewReads(s.subscriptions.keys());
    }
  }

  /** Every session. */
  values(): IterableIterator<Session> {
    return this.byClientId.values();
  }
}
