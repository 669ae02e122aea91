import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant: the unit tests beside the mutated code and the agent's journal tests.
// No global set-up (no Redis, Chromium or pwsh is needed) and no integration test: each mutant must run in seconds.
export default defineConfig({
  test: {
    include: [
      'packages/core/src/**/*.test.ts',
      'packages/server/src/**/*.test.ts',
      'packages/agent/src/executor/**/*.test.ts',
      'packages/agent/test/file-journal.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
  },
});
