/**
 * The events' string fields and the columns holding their ids, as a batch of rows gives them once
 * each (BatchStrings). A leaf module: the parsing thread (ingest/row-columns.ts) needs these and
 * nothing else of the store.
 */
import type { EventFields } from '../formats/types.js';
import type { StringColumn } from './strings.js';

/** The events' string fields with the columns holding their ids, in the order of BatchStrings.refs. */
export const ROW_STRING_FIELDS = [
  ['server', 'server'], ['clientIp', 'client_ip'], ['user', 'user'], ['protocol', 'protocol'], ['sessionKey', 'session_key'],
  ['verb', 'verb'], ['path', 'path'], ['status', 'status'], ['message', 'message'],
] as const satisfies readonly (readonly [keyof EventFields, StringColumn])[];

/** A column of the events held as a string id, given by a row's string field. */
export type RowStringColumn = (typeof ROW_STRING_FIELDS)[number][1];

/**
 * A batch's distinct strings, each given once (rows parsed on another thread, ingest/row-columns.ts):
 * row i's field k (ROW_STRING_FIELDS) is `values[refs[i * ROW_STRING_FIELDS.length + k]]`, -1 when
 * absent. The rows' fields hold the same values.
 */
export interface BatchStrings {
  refs: Int32Array;
  values: readonly string[];
}
