/**
 * The folder tokens of events_fields (store/field-tokens.ts): a row's path gives one per folder above
 * it, which path: asks for by the folder's name, ASCII case folded as SQLite's NOCASE folds it.
 */
import { describe, expect, it } from 'vitest';
import { FOLDER_TOKEN_DEPTH, folderToken, folderTokens } from '../../src-main/core/store/field-tokens.js';

const tokensOf = (path: string) => folderTokens(path).split(' ').filter(Boolean);

describe('folder tokens', () => {
  it('a path holds the token of each folder above it, whichever separator, in any ASCII case', () => {
    expect(tokensOf('/inbound/acme/data.xml')).toEqual([folderToken('/inbound'), folderToken('/INBOUND/Acme')]);
    expect(tokensOf('C:\\Logs\\a.txt')).toEqual([folderToken('c:'), folderToken('C:\\LOGS')]);
    expect(tokensOf('/in\\x/y')).toEqual([folderToken('/in'), folderToken('/in\\x')]);
    // A trailing separator makes the path a folder's too; a path without one is under none.
    expect(tokensOf('/in/')).toEqual([folderToken('/in')]);
    expect(tokensOf('report.csv')).toEqual([]);
    expect(tokensOf('/report.csv')).toEqual([]);
    // Leading or doubled separators (a UNC path) add no folder of their own: a folder ends with a name.
    expect(tokensOf('//server/share/x')).toEqual([folderToken('//server'), folderToken('//SERVER/share')]);
    expect(tokensOf('/in//x/y')).toEqual([folderToken('/in'), folderToken('/in//x')]);
  });

  it('folders that differ are told apart: other letters, non-ASCII case, a different separator, a prefix', () => {
    const folders = ['/in', '/IN/x', '/in/x', '/in\\x', '/inx', '/i', '/É', '/é', 'in', '/in/x/y'];
    const tokens = folders.map((f) => folderToken(f));
    expect(tokens[1]).toBe(tokens[2]);
    expect(new Set(tokens).size).toBe(folders.length - 1);
    for (const t of tokens) expect(t).toMatch(/^f\d{1,16}$/);
  });

  it('the root and the empty folder have no token (every path would be under them)', () => {
    expect(folderToken('')).toBeNull();
    expect(folderToken('/')).toBeNull();
    expect(folderToken('\\')).toBeNull();
    expect(folderToken('/in/')).toBeNull(); // path: strips the separator before asking
  });

  it(`the first ${FOLDER_TOKEN_DEPTH} folders of a path have tokens; a deeper one has none (path: reads its paths instead)`, () => {
    const names = Array.from({ length: FOLDER_TOKEN_DEPTH + 2 }, (_, i) => `d${i}`);
    const folder = (depth: number) => '/' + names.slice(0, depth).join('/');
    expect(tokensOf(folder(names.length) + '/file')).toEqual(names.slice(0, FOLDER_TOKEN_DEPTH).map((_, i) => folderToken(folder(i + 1))));
    expect(folderToken(folder(FOLDER_TOKEN_DEPTH))).not.toBeNull();
    expect(folderToken(folder(FOLDER_TOKEN_DEPTH + 1))).toBeNull();
  });
});
