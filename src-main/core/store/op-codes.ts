/**
 * What a row is doing and how it ended, stored as small integers (schema 14): `op_code` and
 * `outcome_code` of events, `op_code` and `status_code` of transfers. Every reader keeps the words:
 * `op`, `outcome` and `status` are VIRTUAL generated columns spelling the code out, so SQL that
 * reads or filters them is unchanged. The two most frequent values of each take codes 0 and 1,
 * which SQLite stores in no bytes at all (the others in one); the words took 6–8 bytes a row.
 * 1M EFT lines: 1M events and 660k transfers, about 22 MB less. Never renumber.
 */

/** File operations, in code order. */
export const TRANSFER_OPS = ['download', 'upload', 'delete', 'rename', 'mkdir', 'rmdir'] as const;
/** Everything a line may record, in code order (the file operations first). */
export const EVENT_OPS = [...TRANSFER_OPS, 'login', 'logout', 'connect'] as const;
/** How a line or a transfer ended, in code order. */
export const OUTCOMES = ['success', 'failed', 'incomplete'] as const;

/** How a session's login went (schema 31, `sessions.login_state`), in code order: most logged in. */
export const LOGIN_STATES = ['success', 'none', 'failed'] as const;
/** How a session ended (schema 31, `sessions.end_code`), in code order; none while it is open. */
export const END_REASONS = ['quit', 'unknown', 'timeout', 'disconnected'] as const;

export type TransferOp = (typeof TRANSFER_OPS)[number];
export type EventOp = (typeof EVENT_OPS)[number];
export type Outcome = (typeof OUTCOMES)[number];

const codes = <T extends string>(words: readonly T[]): ReadonlyMap<string, number> => new Map(words.map((w, i) => [w, i]));
const OP_CODES = codes(EVENT_OPS);
const OUTCOME_CODES = codes(OUTCOMES);
const LOGIN_CODES = codes(LOGIN_STATES);
const END_CODES = codes(END_REASONS);

function codeOf(table: ReadonlyMap<string, number>, word: string | null | undefined, what: string): number | null {
  if (word === null || word === undefined) return null;
  const code = table.get(word);
  // A word without a code would be stored as no value at all: a programming error, not bad input.
  if (code === undefined) throw new Error(`no code for the ${what} ${JSON.stringify(word)}`);
  return code;
}

export const opCode = (op: EventOp | null | undefined): number | null => codeOf(OP_CODES, op, 'operation');
export const outcomeCode = (outcome: Outcome | null | undefined): number | null => codeOf(OUTCOME_CODES, outcome, 'outcome');
export const loginCode = (login: (typeof LOGIN_STATES)[number]): number => codeOf(LOGIN_CODES, login, 'login')!;
export const endReasonCode = (reason: (typeof END_REASONS)[number] | null): number | null => codeOf(END_CODES, reason, 'end of a session');

/** SQL spelling out the code in `column`: the expression of a generated column. */
function wordsSql(column: string, words: readonly string[]): string {
  return `CASE ${column} ${words.map((w, i) => `WHEN ${i} THEN '${w}'`).join(' ')} END`;
}

/** A column `name` holding `words[code]` for the code in `codeColumn`, computed when read. */
export function wordColumn(name: string, codeColumn: string, words: readonly string[]): string {
  return `${name} TEXT GENERATED ALWAYS AS (${wordsSql(codeColumn, words)}) VIRTUAL`;
}

/**
 * An event's operation, outcome, plain-transfer mark, kind and local-time mark in one integer
 * (schema 26, `events.flags`), read back through VIRTUAL generated columns of their old names: each
 * was a column of its own, and every column costs every row a byte of its record's header. The
 * bits most rows set come first, so that the value mostly fits the one byte SQLite stores up to 127:
 * bits 0–3 the operation's code + 1 (0: none), 4–5 the outcome's + 1, 6 plain transfer, 7–8 the
 * kind, 9 a local time. One layout, written here for eventFlags, its SQL twin and the columns.
 */
const OUTCOME_SHIFT = 4, PLAIN_SHIFT = 6, KIND_SHIFT = 7, TS_LOCAL_SHIFT = 9;
export const PLAIN_TRANSFER_FLAG = 1 << PLAIN_SHIFT;

export function eventFlags(kind: number, op: number | null, outcome: number | null, plainTransfer: boolean, tsLocal: boolean): number {
  // Each in its bits: a value past them would spill into the next field (a programming error).
  if (kind > 3 || (op ?? 0) > 14 || (outcome ?? 0) > 2) throw new Error(`no room in an event's flags for kind ${kind}, operation ${op}, outcome ${outcome}`);
  return (op === null ? 0 : op + 1) | ((outcome === null ? 0 : outcome + 1) << OUTCOME_SHIFT) | (plainTransfer ? PLAIN_TRANSFER_FLAG : 0)
    | (kind << KIND_SHIFT) | (tsLocal ? 1 << TS_LOCAL_SHIFT : 0);
}

/** SQL of eventFlags over the unpacked columns (schema 26 copies the rows with it). */
export const EVENT_FLAGS_SQL = `(coalesce(op_code + 1, 0) | (coalesce(outcome_code + 1, 0) << ${OUTCOME_SHIFT})
  | (CASE WHEN plain_transfer = 1 THEN ${PLAIN_TRANSFER_FLAG} ELSE 0 END) | (kind << ${KIND_SHIFT}) | (CASE WHEN ts_local = 1 THEN ${1 << TS_LOCAL_SHIFT} ELSE 0 END))`;

/** The generated columns reading `flags` (and `more`, the JSON of a row's rare fields) under their old names. */
export const PACKED_EVENT_COLUMNS = `kind           INTEGER GENERATED ALWAYS AS ((flags >> ${KIND_SHIFT}) & 3) VIRTUAL,
    ts_local       INTEGER GENERATED ALWAYS AS (nullif((flags >> ${TS_LOCAL_SHIFT}) & 1, 0)) VIRTUAL,
    op_code        INTEGER GENERATED ALWAYS AS (nullif(flags & 15, 0) - 1) VIRTUAL,
    outcome_code   INTEGER GENERATED ALWAYS AS (nullif((flags >> ${OUTCOME_SHIFT}) & 3, 0) - 1) VIRTUAL,
    plain_transfer INTEGER GENERATED ALWAYS AS ((flags >> ${PLAIN_SHIFT}) & 1) VIRTUAL,
    ${wordColumn('op', 'op_code', EVENT_OPS)},
    ${wordColumn('outcome', 'outcome_code', OUTCOMES)},
    duration_ms    INTEGER GENERATED ALWAYS AS (more ->> 'd') VIRTUAL,
    pid            INTEGER GENERATED ALWAYS AS (more ->> 'p') VIRTUAL,
    extra          TEXT GENERATED ALWAYS AS (more ->> 'x') VIRTUAL`;

/** The JSON of a row's rare fields (`more`), or null when it has none. */
export function eventMore(durationMs: number | null | undefined, pid: number | null | undefined, extra: string | null): string | null {
  if ((durationMs === null || durationMs === undefined) && (pid === null || pid === undefined) && extra === null) return null;
  return JSON.stringify({ ...(durationMs != null && { d: durationMs }), ...(pid != null && { p: pid }), ...(extra !== null && { x: extra }) });
}

/** SQL of eventMore over the unpacked columns. */
export const EVENT_MORE_SQL = `CASE WHEN duration_ms IS NULL AND pid IS NULL AND extra IS NULL THEN NULL
  ELSE json_patch('{}', json_object('d', duration_ms, 'p', pid, 'x', extra)) END`;
