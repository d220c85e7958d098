/**
 * Node module hook for run-main: `import ... from 'electron'` gets the fake of ./electron.js, so
 * the real compiled main process runs under plain Node.
 */
const FAKE = new URL('./electron.js', import.meta.url).href;

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<{ url: string; shortCircuit?: boolean }> {
  return specifier === 'electron' ? { url: FAKE, shortCircuit: true } : next(specifier, context);
}
