/**
 * The types of the result columns (columns.ts holds the columns themselves). Types only, importing
 * nothing: the API contract re-exports them, and the renderer type-checks them without Node types.
 */

export type QueryKind = 'events' | 'sessions' | 'transfers';
export type SortOrder = 'asc' | 'desc';

export type ColumnType = 'time' | 'int' | 'bytes' | 'text' | 'duration';

export interface ColumnDef {
  /** The row's field: the database column (snake_case) or a computed one (`format`, `source_path`, `explanation`). */
  name: string;
  label: string;
  type: ColumnType;
  /** Whether results can be ordered by it (`sort` may name it; keyset paging on it is exact either way). */
  sortable: boolean;
}
