/** Vireo's version (kept equal to package.json's by test/ops/sys_tree.test.ts). */
export const VERSION = "0.1.0";
