/**
 * A reload of the access files (SIGHUP) as the connected clients see it: new rules for their next
 * decision, subscribers' deliveries re-reviewed, and a client whose password file entry was
 * removed or changed disconnected (as Mosquitto does on reload): a revoked device does not stay
 * connected on its old credentials.
 */
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { BrokerCore } from "./core.ts";
import { closeWith } from "./errors.ts";

/** Reloads; returns the errors of files that kept their previous rules (empty = all reloaded). */
export function reloadAccess(core: BrokerCore): string[] {
  const access = core.access;
  if (access === null) return [];
  const before = access.passwordFile;
  const errors = access.reload();
  core.sessions.reviewAccess(); // which subscribers' deliveries need checks under the new rules
  const after = access.passwordFile;
  if (before === null || after === before) return errors; // no password file, or it kept the old one
  for (const [client, user] of core.passwordLogins) { // deleting while iterating is safe for a Map
    if (before.sameEntry(user, after)) continue;
    core.passwordLogins.delete(client);
    core.opts.log(`client ${client.clientId}: user "${user}" removed or changed in the password file: disconnected`,
      { level: "notice", event: "revoked", clientId: client.clientId });
    closeWith(core, client, ReasonCode.NotAuthorized, true); // v5 DISCONNECT 0x87; the will goes, as on any server-side close
  }
  return errors;
}
