/**
 * Statements prepared once per connection. Imports only types: meta, line spans and the full-text
 * index use it, and db.ts imports them.
 */
import type Database from 'better-sqlite3';
import type { Db } from './db.js';

const preparedStatements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * `db.prepare(sql)`, prepared once per connection, for the statements a run meets once per file or
 * per batch (a folder of 300 daily logs spent 0.35 s of the writer's thread preparing them again).
 * Only for get, all and run with the same mode (pluck, raw) at every call: the statement is shared,
 * and one being iterated cannot run again.
 */
export function preparedOnce(db: Db, sql: string): Database.Statement {
  let statements = preparedStatements.get(db);
  if (!statements) preparedStatements.set(db, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db.prepare(sql)));
  return statement;
}
