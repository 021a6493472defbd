/**
 * The one file that knows which SQLite each runtime ships: `bun:sqlite` on Bun, `node:sqlite`
 * (DatabaseSync) on Deno (2.9 has it built in) and Node. Both are synchronous, take positional `?`
 * parameters and return BLOBs as Uint8Array, so the backend above sees one small API.
 */

/** A prepared statement. */
export interface Statement {
  run(...params: SqlValue[]): void;
  all(...params: SqlValue[]): Record<string, SqlValue>[];
}

/** Values crossing the driver. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** An open database connection. */
export interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}

interface BunDatabase {
  exec(sql: string): void;
  prepare(sql: string): { run(...p: SqlValue[]): unknown; all(...p: SqlValue[]): Record<string, SqlValue>[] };
  close(): void;
}

/** Which driver runs here, for messages. */
export function driverName(): string {
  return "Bun" in globalThis ? "bun:sqlite" : "node:sqlite";
}

/**
 * Opens (creating if missing) the database at `path`.
 * @throws whatever the driver throws (the caller names the file).
 */
export async function openDatabase(path: string): Promise<Database> {
  if ("Bun" in globalThis) {
    const spec = "bun:sqlite"; // a variable: other runtimes must not resolve it at load time
    const { Database } = (await import(spec)) as { Database: new (p: string, o?: object) => BunDatabase };
    const db = new Database(path, { create: true, readwrite: true });
    return {
      exec: (sql) => db.exec(sql),
      prepare: (sql) => {
        const st = db.prepare(sql);
        // Bound, not wrapped in a rest-parameter arrow: the copy of the arguments cost about a
        // tenth of a row write, and a durable message writes several rows.
        return { run: st.run.bind(st) as Statement["run"], all: st.all.bind(st) };
      },
      close: () => db.close(),
    };
  }
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path);
  return {
    exec: (sql) => db.exec(sql),
    prepare: (sql) => {
      const st = db.prepare(sql);
      return {
        run: (...p) => void st.run(...(p as never[])),
        all: (...p) => st.all(...(p as never[])) as Record<string, SqlValue>[],
      };
    },
    close: () => db.close(),
  };
}
