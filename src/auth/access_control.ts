/**
 * The broker's access policy in one object: who may connect (password file, anonymous policy,
 * the embedder's `authenticate` hook) and what each client may publish, receive and subscribe to
 * (ACL file, `authorizePublish` / `authorizeSubscribe` hooks). Protocol handlers never see a file
 * format: they ask a client's ClientAccess (client_access.ts), which caches these answers.
 *
 * Reload (SIGHUP) re-reads both files; a file that fails to load keeps the previous rules (and
 * is reported), so a bad edit never opens the broker. New rules apply to the next decision of
 * every client: the generation number invalidates every cached answer.
 */
import type { BrokerHooks, ClientIdentity, ConnectInfo } from "../broker/hooks.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import { AclFile } from "./acl_file.ts";
import { PasswordFile } from "./password_file.ts";

/** What the policy is made of (Config keys plus hooks). */
export interface AccessOptions {
  /** Mosquitto password file ("" = none). */
  passwordFile: string;
  /** Mosquitto ACL file ("" = none). */
  aclFile: string;
  /** Anonymous clients allowed; null = only while no password file is configured. */
  allowAnonymous: boolean | null;
  hooks: BrokerHooks;
}

const SHARE = /^\$share\/[^/]+\//;

/** The access policy. Construct with files already read (AccessControl.load). */
export class AccessControl {
  /** Bumped on every change of rules; ClientAccess drops answers from an older generation. */
  generation = 1;
  /** True when topic decisions are needed at all (an ACL file or an authorize hook). */
  readonly gatesTopics: boolean;

  /**
   * A policy that allows everything, for the broker's own warm-up clients: they get a ClientAccess
   * on it (not a bypass), so the warm-up compiles the same per-message access paths real clients
   * take under an ACL instead of leaving them to compile under the first real load.
   */
  static readonly allowAll = new AccessControl({ passwordFile: "", aclFile: "", allowAnonymous: true, hooks: {} }, null, null);

  private constructor(
    private readonly opts: AccessOptions,
    private passwords: PasswordFile | null,
    private acl: AclFile | null,
  ) {
    const h = opts.hooks;
    this.gatesTopics = opts.aclFile !== "" || h.authorizePublish !== undefined || h.authorizeSubscribe !== undefined;
  }

  /** Whether any authentication is configured (then anonymous clients are refused by default). */
  static authConfigured(o: Pick<AccessOptions, "passwordFile" | "hooks">): boolean {
    return o.passwordFile !== "" || o.hooks.authenticate !== undefined;
  }

  /**
   * The policy for `opts`, or null when there is nothing to check (every client and topic allowed:
   * the broker then pays nothing per packet). @throws ConfigError for a broken file.
   */
  static load(opts: AccessOptions): AccessControl | null {
    const h = opts.hooks;
    const nothing = opts.passwordFile === "" && opts.aclFile === "" && opts.allowAnonymous !== false &&
      h.authenticate === undefined && h.authorizePublish === undefined && h.authorizeSubscribe === undefined;
    if (nothing) return null;
    return new AccessControl(
      opts,
      opts.passwordFile !== "" ? PasswordFile.load(opts.passwordFile) : null,
      opts.aclFile !== "" ? AclFile.load(opts.aclFile) : null,
    );
  }

  /** The password file in force (SCRAM reads its entries), or null. */
  get passwordFile(): PasswordFile | null {
    return this.passwords;
  }

  /**
   * Re-reads the password and ACL files. Each one that loads replaces the old one; one that does
   * not keeps the old rules. Returns the error messages (empty = all reloaded).
   */
  reload(): string[] {
    const errors: string[] = [];
    if (this.opts.passwordFile !== "") {
      try {
        this.passwords = PasswordFile.load(this.opts.passwordFile);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (this.opts.aclFile !== "") {
      try {
        this.acl = AclFile.load(this.opts.aclFile);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    this.generation++;
    return errors;
  }

  /**
   * Anonymous clients allowed under the current settings: as configured, else not once a
   * password file is configured. An embedder's authenticate hook sees anonymous clients itself
   * (username undefined) and decides for them unless allowAnonymous is false.
   */
  get allowAnonymous(): boolean {
    return this.opts.allowAnonymous ?? this.opts.passwordFile === "";
  }

  /**
   * Decides a CONNECT: 0 to accept, 0x86 bad user name or password, 0x87 not authorized (or the
   * embedder hook's code). A password check runs PBKDF2 on the thread pool, hence the Promise.
   */
  authenticate(info: ConnectInfo): number | Promise<number> {
    const pw = this.passwords;
    if (info.username !== undefined && !info.certified) {
      if (pw !== null) {
        if (info.password === undefined) return ReasonCode.BadUserNameOrPassword;
        return pw.verify(info.username, info.password).then((ok) => {
          if (!ok) return ReasonCode.BadUserNameOrPassword;
          // A reload while PBKDF2 ran: the file now in force decides (a removed user stays out).
          return this.passwords === pw ? this.afterPassword(info) : this.authenticate(info);
        });
      }
      // Nothing can check the user name: while anonymous clients are refused, so is it (Mosquitto 2
      // refuses every client then), unless the embedder's hook decides.
      if (!this.allowAnonymous && this.opts.hooks.authenticate === undefined) return ReasonCode.BadUserNameOrPassword;
    }
    return this.afterPassword(info);
  }

  private afterPassword(info: ConnectInfo): number | Promise<number> {
    if (info.username === undefined && !this.allowAnonymous) return ReasonCode.NotAuthorized;
    return this.opts.hooks.authenticate?.(info) ?? 0;
  }

  /** May `who` publish to topic name `topic`? */
  mayPublish(who: ClientIdentity, topic: string): boolean {
    if (this.acl !== null && !this.acl.check(who, topic, 2)) return false;
    return this.opts.hooks.authorizePublish?.(who, topic) ?? true;
  }

  /** May `who` receive a message published to `topic`? */
  mayRead(who: ClientIdentity, topic: string): boolean {
    return this.acl === null || this.acl.check(who, topic, 1);
  }

  /**
   * Whether `who` may read every topic `filter` matches ($share/GROUP/ looked through): then its
   * deliveries need no check of their own (see ClientAccess.readsFree).
   */
  readsAll(who: ClientIdentity, filter: string): boolean {
    return this.acl === null || this.acl.readsAll(who, filter.replace(SHARE, ""));
  }

  /** May `who` subscribe to `filter` ($share/GROUP/ is looked through)? */
  maySubscribe(who: ClientIdentity, filter: string): boolean {
    if (this.acl !== null && !this.acl.maySubscribe(who, filter.replace(SHARE, ""))) return false;
    return this.opts.hooks.authorizeSubscribe?.(who, filter) ?? true;
  }
}
