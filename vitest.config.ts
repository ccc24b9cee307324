import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code they test, as *.test.ts. End-to-end tests: e2e/vitest.config.ts.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test-support/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['./test-support/buildMain.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
