/**
 * The renderer's boundary: from src-main it imports the API contract's types and nothing else (the
 * contract itself reaches only type-only core modules), so no Node or back-end code can end up in
 * the page bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers.js';

const RENDERER = path.join(REPO, 'src-renderer');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|svelte|js)$/.test(e.name) ? [p] : [];
  });
}

/** Every import/export-from statement of a file (multi-line ones included). */
function importStatements(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"][^'"]+['"]/gms)].map(([s]) => s.trim());
}

describe('renderer boundary', () => {
  it('imports only types from src-main, and only from the API contract', () => {
    const reaching: string[] = [];
    for (const file of sourceFiles(RENDERER)) {
      for (const statement of importStatements(fs.readFileSync(file, 'utf8'))) {
        const from = /from\s*['"]([^'"]+)['"]/.exec(statement)![1]!;
        if (!from.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), from);
        if (target.startsWith(RENDERER + path.sep)) continue;
        reaching.push(`${path.relative(REPO, file)}: ${statement.replace(/\s+/g, ' ')}`);
        expect(statement, path.relative(REPO, file)).toMatch(/^import type\b/);
        expect(path.relative(REPO, target)).toBe(path.join('src-main', 'api', 'contract.js'));
      }
    }
    expect(reaching.length).toBeGreaterThan(0); // the scan does see the contract imports
  });

  it('the contract imports only types, from type-only core modules (it must compile with DOM types only)', () => {
    // The contract and every module it reaches: each may import only types, and only from modules
    // holding nothing but types (svelte-check then proves they need no Node types).
    const contract = path.join(REPO, 'src-main', 'api', 'contract.ts');
    const reached = new Set<string>([contract]);
    const pending = [contract];
    for (let file = pending.pop(); file; file = pending.pop()) {
      const text = fs.readFileSync(file, 'utf8');
      if (file !== contract) {
        expect(path.relative(REPO, file)).toMatch(/^src-main[\\/]core[\\/]/);
        expect(text, path.relative(REPO, file)).not.toMatch(/^\s*(?:export\s+)?(?:default\b|const\b|let\b|var\b|(?:async\s+)?function\b|class\b|enum\b|declare\b)/m);
      }
      for (const statement of importStatements(text)) {
        expect(statement, path.relative(REPO, file)).toMatch(/^(?:import|export) type\b/);
        const from = /from\s*['"]([^'"]+)['"]/.exec(statement)![1]!;
        const target = path.resolve(path.dirname(file), from).replace(/\.js$/, '.ts');
        if (!reached.has(target)) {
          reached.add(target);
          pending.push(target);
        }
      }
    }
    expect(reached.size).toBeGreaterThan(1); // the walk does follow the contract's imports
  });

  it('the built bundle contains no Node or back-end code', () => {
    const assets = path.join(REPO, 'dist', 'renderer', 'assets');
    const js = fs.readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(assets, f), 'utf8')).join('\n');
    expect(js.length).toBeGreaterThan(0);
    for (const marker of ['better-sqlite3', 'node:fs', 'node:path', 'worker_threads', 'require("electron")', 'ipcRenderer']) {
      expect(js, marker).not.toContain(marker);
    }
  });
});
