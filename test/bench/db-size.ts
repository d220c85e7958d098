/**
 * What each table and index of a database takes on disk, from SQLite's `dbstat` virtual table (issue
 * 12: "report what each table and index takes"), read on its own read-only connection so that it
 * depends on no part of the store.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';

export interface DbObjectSize {
  name: string;
  /** `table`, `index on T`, or `internal` (sqlite_schema itself). */
  type: string;
  pages: number;
  bytes: number;
}

export interface DbSizes {
  /** The database file plus its WAL, and its full-text index's file (FILE-fts, schema 12) plus its WAL. */
  bytes: number;
  walBytes: number;
  pageSize: number;
  /** Pages on the freelist (space SQLite keeps for later rows). */
  freeBytes: number;
  /** Largest first; undefined when this SQLite was built without dbstat. */
  objects?: DbObjectSize[];
  dbstatMissing?: string;
}

const fileBytes = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);

export function databaseSizes(file: string): DbSizes {
  const walBytes = fileBytes(file + '-wal');
  const ftsFile = file + '-fts';
  const db = new Database(file, { readonly: true });
  try {
    const schemas = ['main'];
    if (fs.existsSync(ftsFile)) {
      db.prepare('ATTACH ? AS fts').run(ftsFile);
      schemas.push('fts');
    }
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const freeBytes = schemas.reduce((n, s) => n + (db.pragma(`${s}.freelist_count`, { simple: true }) as number) * pageSize, 0);
    const bytes = fileBytes(file) + walBytes + fileBytes(ftsFile) + fileBytes(ftsFile + '-wal');
    const sizes: DbSizes = { bytes, walBytes, pageSize, freeBytes };
    try {
      const rows = schemas.flatMap((schema) =>
        db
          .prepare(
            `SELECT s.name, m.type, m.tbl_name AS tbl, count(*) AS pages, sum(s.pgsize) AS bytes
             FROM dbstat('${schema}') AS s LEFT JOIN ${schema}.sqlite_schema AS m ON m.name = s.name
             GROUP BY s.name`,
          )
          .all() as { name: string; type: string | null; tbl: string | null; pages: number; bytes: number }[],
      );
      rows.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
      sizes.objects = rows.map((r) => ({
        name: r.name,
        type: r.type === 'index' ? `index on ${r.tbl}` : (r.type ?? 'internal'),
        pages: r.pages,
        bytes: r.bytes,
      }));
    } catch (err) {
      sizes.dbstatMissing = (err as Error).message;
    }
    return sizes;
  } finally {
    db.close();
  }
}
