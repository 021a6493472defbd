// The shared backend suite on the in-memory backend.
import { MemoryBackend } from "../../src/storage/memory.ts";
import { backendSuite } from "./backend.case.ts";

backendSuite("memory", { make: () => Promise.resolve(new MemoryBackend()) });
