import fs from 'node:fs';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { InputError } from './index-types.js';

export type { InputError } from './index-types.js';

/** A plain-language reason for a file system error. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'EBUSY': return 'file is locked by another program';
    case 'ELOOP': return 'too many levels of symbolic links';
    default: return e.message ?? String(err);
  }
}

/** "PATH: REASON" in one line; the reason alone when it begins with its path (a database fault's does). */
export function describeInputError(e: InputError): string {
  return e.reason.startsWith(e.path) ? e.reason : `${e.path}: ${e.reason}`;
}

/**
 * Turns the user's inputs (files, folders searched recursively, glob patterns) into a sorted list
 * of files, and the inputs that could not be used into errors. Nothing is read yet.
 */
export async function expandInputs(inputs: readonly string[]): Promise<{ files: string[]; errors: InputError[] }> {
  const files: string[] = [];
  const errors: InputError[] = [];
  for (const input of inputs) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(input);
    } catch (err) {
      if (isDynamicPattern(input.replace(/\\/g, '/'))) {
        const matches = await glob(input.replace(/\\/g, '/'), { absolute: true, onlyFiles: true, dot: false });
        if (matches.length) files.push(...matches.sort());
        else errors.push({ path: input, reason: 'no file matches this pattern' });
        continue;
      }
      errors.push({ path: input, reason: describeFsError(err) });
      continue;
    }
    if (stat.isDirectory()) {
      try {
        const found = walk(input, errors);
        if (!found.length) errors.push({ path: input, reason: 'folder holds no files' });
        files.push(...found);
      } catch (err) {
        errors.push({ path: input, reason: describeFsError(err) });
      }
    } else if (stat.isFile()) {
      files.push(path.resolve(input));
    } else {
      errors.push({ path: input, reason: 'not a regular file or folder' });
    }
  }
  return { files, errors };
}

function walk(dir: string, errors: InputError[]): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    errors.push({ path: dir, reason: describeFsError(err) });
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.resolve(dir, e.name);
    // Symbolic links to folders are not followed (no cycles); links to files are.
    if (e.isDirectory()) out.push(...walk(full, errors));
    else if (e.isFile()) out.push(full);
    else if (e.isSymbolicLink()) {
      try {
        if (fs.statSync(full).isFile()) out.push(full);
      } catch (err) {
        errors.push({ path: full, reason: describeFsError(err) });
      }
    }
  }
  return out;
}
