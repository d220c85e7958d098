import { lineOffsetSql, lineSql } from '../src-main/core/store/line-blocks.js';
import { namedStringsSql, SESSION_STRING_COLUMNS, STRING_COLUMNS, TRANSFER_STRING_COLUMNS } from '../src-main/core/store/strings.js';
import { everyTransfer } from '../src-main/core/store/plain-transfers.js';
import { connKeySql } from '../src-main/core/store/session-keys.js';

/**
 * The events with their text columns named as before the lean store (user, client_ip, path, …) and,
 * unless `withLines` is false, the line's text (raw) and byte offset as the line blocks hold them,
 * for tests' SQL: `FROM ${eventsWide()} e`. `schema` names an attached database. Reading the lines
 * needs the line functions (openDatabase, or ensureLineFunctions on a bare connection).
 */
export function eventsWide(schema = 'main', withLines = true): string {
  const text = namedStringsSql('e', STRING_COLUMNS, schema);
  const lines = withLines ? `, ${lineSql('e', schema)} AS raw, ${lineOffsetSql('e', schema)} AS byte_offset` : '';
  return `(SELECT e.*, ${text}${lines} FROM ${schema}.events e)`;
}

export const EVENTS_WIDE = eventsWide();

/** The transfers with their strings named as before schema 9 (user, client_ip, path, …): `FROM ${TRANSFERS_WIDE} t`. */
export const TRANSFERS_WIDE = `(SELECT t.*, ${namedStringsSql('t', TRANSFER_STRING_COLUMNS)} FROM ${everyTransfer()} t)`;
/** The sessions with their strings named and their key whole, as before schema 31 (user, client_ip, server, protocol, conn_key): `FROM ${SESSIONS_WIDE} s`. */
export const SESSIONS_WIDE = `(SELECT s.*, ${connKeySql('s')} AS conn_key, ${namedStringsSql('s', SESSION_STRING_COLUMNS)} FROM sessions s)`;
/** Every transfer, rows and plain ones (store/plain-transfers.ts), with the transfers' columns: `FROM ${ALL_TRANSFERS} t`. */
export const ALL_TRANSFERS = everyTransfer();
