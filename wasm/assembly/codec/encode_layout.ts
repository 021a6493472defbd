// The encoder's state-block and table-header word indices: ONE definition read by both sides
// of the WASM boundary (AssemblyScript's writer.ts and the TypeScript facade src/wasm/encode_table.ts).
// Plain `export const NAME = n;` lines are valid AssemblyScript and TypeScript alike.

export const S_OUT = 0;
export const S_OUT_CAP = 1;
export const S_SCRATCH = 2;
export const S_SCRATCH_CAP = 3;
export const S_TABLE = 4;
export const S_TABLE_CAP = 5;
export const S_DETAIL = 6;
export const T_TYPE = 0;
export const T_FLAGS = 1;
export const T_PACKET_ID = 2;
export const T_QOS = 3;
export const T_REASON = 4;
export const T_KEEP_ALIVE = 5;
export const T_A = 6;
export const T_B = 8;
export const T_C = 10;
export const T_D = 12;
export const T_E = 14;
export const T_PROPS = 16;
export const T_WILL_PROPS = 18;
export const T_LIST = 20;
export const T_ENTRIES = 24;
