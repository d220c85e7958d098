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

export type TransferOp = (typeof TRANSFER_OPS)[number];
export type EventOp = (typeof EVENT_OPS)[number];
export type Outcome = (typeof OUTCOMES)[number];

const codes = <T extends string>(words: readonly T[]): ReadonlyMap<string, number> => new Map(words.map((w, i) => [w, i]));
const OP_CODES = codes(EVENT_OPS);
const OUTCOME_CODES = codes(OUTCOMES);

function codeOf(table: ReadonlyMap<string, number>, word: string | null | undefined, what: string): number | null {
  if (word === null || word === undefined) return null;
  const code = table.get(word);
  // A word without a code would be stored as no value at all: a programming error, not bad input.
  if (code === undefined) throw new Error(`no code for the ${what} ${JSON.stringify(word)}`);
  return code;
}

export const opCode = (op: EventOp | null | undefined): number | null => codeOf(OP_CODES, op, 'operation');
export const outcomeCode = (outcome: Outcome | null | undefined): number | null => codeOf(OUTCOME_CODES, outcome, 'outcome');

/** SQL spelling out the code in `column`: the expression of a generated column. */
function wordsSql(column: string, words: readonly string[]): string {
  return `CASE ${column} ${words.map((w, i) => `WHEN ${i} THEN '${w}'`).join(' ')} END`;
}

/** A column `name` holding `words[code]` for the code in `codeColumn`, computed when read. */
export function wordColumn(name: string, codeColumn: string, words: readonly string[]): string {
  return `${name} TEXT GENERATED ALWAYS AS (${wordsSql(codeColumn, words)}) VIRTUAL`;
}
