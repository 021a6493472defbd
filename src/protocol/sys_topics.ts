/**
 * The broker's own `$SYS/` tree (MQTT 5.0 §4.7.2): what the broker publishes about itself. No
 * client may publish there, so statistics read from it cannot be forged.
 */

const DOLLAR = 0x24;
const SYS = [0x24, 0x53, 0x59, 0x53]; // "$SYS"

/**
 * Whether `bytes[off, off+len)` is `$SYS` or starts with `$SYS/`. Costs one byte compare for any
 * topic that does not start with `$` (the PUBLISH hot path).
 */
export function isSysTopic(bytes: Uint8Array, off: number, len: number): boolean {
  if (len < 4 || bytes[off] !== DOLLAR) return false;
  for (let k = 1; k < 4; k++) if (bytes[off + k] !== SYS[k]) return false;
  return len === 4 || bytes[off + 4] === 0x2f;
}
