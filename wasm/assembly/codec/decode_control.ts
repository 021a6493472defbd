// PINGREQ, PINGRESP, DISCONNECT, AUTH (MQTT 3.1.1 §3.12-3.14, MQTT 5.0 §3.12-3.15).
//
// PINGREQ 0xC0 00   PINGRESP 0xD0 00   DISCONNECT 0xE0 / AUTH 0xF0 (v5 only)
//                                        | remaining length                     |
//                                        | v5, rl > 0: reason code              |
//                                        | v5, rl > 1: properties               |
// A 3.1.1 DISCONNECT and both PINGs have no body: any byte is a remaining-length mismatch.

import { err, fail, left, lim, MALFORMED, pos, readU8 } from "./reader";
import { F_CODE, fset } from "./frame_table";
import { readProperties, setFrameProperties } from "./decode_properties";

/** Decodes a PINGREQ, PINGRESP, DISCONNECT or AUTH body (types 12..15); returns 0 or a reason code. */
export function decodeControl(type: u32, level: u32): i32 {
  if (level == 5 && type >= 14 && left() > 0) {
    fset(F_CODE, <i32>readU8());
    if (left() > 0) {
      if (!readProperties(type)) return err;
      setFrameProperties();
    }
  }
  if (pos != lim) fail(MALFORMED); // §3.12-3.14: no payload (remaining length mismatch)
  return err;
}
