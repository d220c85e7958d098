import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/**
 * The renderer (src-renderer/) built into dist/renderer/, loaded by the desktop window over
 * app://xferlens and by the browser from `xferlens serve`. The page's CSP forbids inline scripts
 * and styles, so nothing may be inlined: no module-preload polyfill, no assets as data: URLs
 * (test/unit/renderer-build.test.ts checks the built index.html).
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src-renderer', import.meta.url)),
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    target: 'chrome130',
    reportCompressedSize: false,
  },
});
