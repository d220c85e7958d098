/**
 * Conditions on the stored rows that both the store (the rollup counts failures and bytes per minute)
 * and the query layer (`status:failed`, charts) use, so that both count the same rows. Keyed by the
 * query kinds' table aliases: e events, t transfers, s sessions.
 */

/** `status:failed` per kind. */
export const FAILED_SQL = {
  events: "e.outcome = 'failed'",
  transfers: "t.status = 'failed'",
  // A session failed when its login did or any of its operations did.
  sessions: "(s.login = 'failed' OR s.failures > 0)",
} as const;

/** The bytes a row moved: sessions add both directions. */
export const BYTES_SQL = {
  events: 'e.bytes',
  transfers: 't.bytes',
  sessions: '(s.bytes_up + s.bytes_down)',
} as const;
