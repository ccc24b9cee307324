import { svelte } from '@sveltejs/vite-plugin-svelte';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  // Relative asset paths: the same build is served from graft-app:// (Electron) and http:// (browser mode).
  base: './',
  plugins: [svelte()],
  build: {
    outDir: path.join(here, '..', '..', 'dist', 'renderer'),
    emptyOutDir: true,
    // No inline scripts or styles: the Content-Security-Policy forbids them.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
