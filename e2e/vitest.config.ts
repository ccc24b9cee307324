import { defineConfig } from 'vitest/config';

// End-to-end tests drive the built app (npm run build) in Debian's Chromium and, where its
// binary exists, in Electron. They run one file at a time: each starts its own app and browser.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
