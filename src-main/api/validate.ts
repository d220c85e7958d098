/**
 * Input checks at the API boundary: whatever the transport (IPC, HTTP, a test), a handler sees only
 * input of the contract's shape. The validators are small and compose: `object` knows its keys and
 * refuses any other (`__proto__` and `constructor` included), strings have a maximum length,
 * numbers a range. A refusal is an `ApiError` (status 400) such as
 * `query/page: limit must be an integer 1..1000`; nothing here can throw anything else.
 */
import path from 'node:path';
import { assertTimeZone } from '../core/time.js';
import { ApiError } from './errors.js';

/** Reads `value` as a T or throws the reason (without the method name: `fail` adds it). */
export type Check<T> = (value: unknown, where: string) => T;

class Invalid extends Error {}

function invalid(where: string, what: string): never {
  throw new Invalid(`${where} ${what}`);
}

const describe = (v: unknown): string => {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
};

export function string(opts: { max: number; min?: number; pattern?: RegExp; patternText?: string }): Check<string> {
  const min = opts.min ?? 0;
  return (v, where) => {
    if (typeof v !== 'string') invalid(where, `must be a string (got ${describe(v)})`);
    if (v.length < min) invalid(where, min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
    if (v.length > opts.max) invalid(where, `must be at most ${opts.max} characters (got ${v.length})`);
    // NUL ends C strings (file APIs, SQLite text): never meaningful in this API's strings.
    if (v.includes('\0')) invalid(where, 'must not contain NUL characters');
    if (opts.pattern && !opts.pattern.test(v)) invalid(where, `must be ${opts.patternText ?? `like ${opts.pattern}`}`);
    return v;
  };
}

export function integer(min: number, max: number): Check<number> {
  return (v, where) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      invalid(where, `must be an integer ${min}..${max} (got ${describe(v)})`);
    }
    return v;
  };
}

/** A row id (SQLite integer primary key). */
export const id = integer(1, Number.MAX_SAFE_INTEGER);

/** A time as UTC epoch ms (years 0..9999, the range JavaScript dates and ISO strings share). */
export const epochMs = integer(-62_167_219_200_000, 253_402_300_799_999);

export const boolean: Check<boolean> = (v, where) => {
  if (typeof v !== 'boolean') invalid(where, `must be true or false (got ${describe(v)})`);
  return v;
};

export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  return (v, where) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) invalid(where, `must be one of ${values.join(', ')} (got ${describe(v)})`);
    return v as T;
  };
}

export function arrayOf<T>(item: Check<T>, opts: { max: number; min?: number }): Check<T[]> {
  const min = opts.min ?? 0;
  return (v, where) => {
    if (!Array.isArray(v)) invalid(where, `must be an array (got ${describe(v)})`);
    if (v.length < min) invalid(where, `must have at least ${min} item${min > 1 ? 's' : ''}`);
    if (v.length > opts.max) invalid(where, `must have at most ${opts.max} items (got ${v.length})`);
    return v.map((x, i) => item(x, `${where}[${i}]`));
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, where) => (v === null ? null : check(v, where));
}

/** An IANA time zone this runtime knows (`Europe/Paris`, `UTC`). */
export const timeZone: Check<string> = (v, where) => {
  const zone = string({ max: 64, min: 1 })(v, where);
  try {
    assertTimeZone(zone);
  } catch {
    invalid(where, `must be an IANA time zone such as Europe/Paris (got ${describe(zone)})`);
  }
  return zone;
};

/** An absolute path on this machine (globs allowed: `/var/log/proftpd/*.log`). */
export const absolutePath: Check<string> = (v, where) => {
  const p = string({ max: 4096, min: 1 })(v, where);
  if (!path.isAbsolute(p)) invalid(where, `must be an absolute path (got ${describe(p)})`);
  return p;
};

const OPTIONAL = Symbol('optional');
type Optional<T> = Check<T> & { [OPTIONAL]: true };

/** A key that may be absent (`undefined` counts as absent; `null` does not, unless the check allows it). */
export function optional<T>(check: Check<T>): Optional<T> {
  return Object.assign((v: unknown, where: string) => check(v, where), { [OPTIONAL]: true as const });
}

type Shape = Record<string, Check<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type Out<C> = C extends Check<infer T> ? T : never;
export type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Out<S[K]> } & { [K in OptionalKeys<S>]?: Out<S[K]> };

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * An object with exactly these keys (optional ones may be missing). The result is a new object
 * holding only the checked values, so nothing the caller sent rides along.
 */
export function object<S extends Shape>(shape: S, opts: { atLeastOneOf?: readonly (keyof S & string)[] } = {}): Check<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return (v, where) => {
    if (!isPlainObject(v)) invalid(where, `must be an object (got ${describe(v)})`);
    const unknown = Object.keys(v).filter((k) => !Object.hasOwn(shape, k));
    if (unknown.length) {
      const names = unknown.slice(0, 3).map((k) => JSON.stringify(k.slice(0, 40))).join(', ');
      invalid(where, `has unknown field${unknown.length > 1 ? 's' : ''} ${names}${unknown.length > 3 ? '…' : ''} (known: ${keys.join(', ') || 'none'})`);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const check = shape[key]!;
      const value = Object.hasOwn(v, key) ? v[key] : undefined;
      if (value === undefined) {
        if (OPTIONAL in check) continue;
        invalid(where === 'input' ? key : `${where}.${key}`, 'is required');
      }
      out[key] = check(value, where === 'input' ? key : `${where}.${key}`);
    }
    if (opts.atLeastOneOf && !opts.atLeastOneOf.some((k) => out[k] !== undefined)) invalid(where, `needs ${opts.atLeastOneOf.join(' or ')}`);
    return out as ObjectOf<S>;
  };
}

/** No input: absent, or null (what HTTP sends for "nothing"). */
export const none: Check<void> = (v, where) => {
  if (v !== undefined && v !== null) throw new Invalid(`takes no input (got ${describe(v)})`);
};

/** Runs a check for a method: a refusal becomes an ApiError (400) naming the method. */
export function validate<T>(method: string, check: Check<T>, input: unknown): T {
  try {
    return check(input, 'input');
  } catch (err) {
    if (err instanceof Invalid) throw new ApiError(`${method}: ${err.message}`, { status: 400 });
    throw err;
  }
}
