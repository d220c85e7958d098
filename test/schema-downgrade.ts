import type Database from 'better-sqlite3';
import { ensureLineFunctions, lineSql } from '../src-main/core/store/line-blocks.js';

/**
 * Turns a database of today's schema back into schema 4's shape (each line's text in a raw column of
 * events, no line blocks), for tests of the migrations of older databases. Migration 5 moves it back.
 */
export function undoLineBlocks(db: Database.Database): void {
  ensureLineFunctions(db);
  db.exec(`ALTER TABLE events ADD COLUMN raw TEXT NOT NULL DEFAULT '';
    UPDATE events SET raw = coalesce(${lineSql('events')}, '');
    DROP TABLE line_blocks;`);
}
