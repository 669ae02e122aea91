import { defineConfig } from 'vitest/config';

const CHAOS = 'packages/*/test/chaos/**/*.chaos.test.ts';

// Unit tests sit beside their source; integration tests (*.int.test.ts) live in each package's test/ folder.
// The chaos suite (issue 8: faults, load, bad input, security) runs after them, one file at a time, because its
// files kill processes and load the machine; `npm run test:chaos` runs it alone.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    // Finds or installs redis-server, Chromium and pwsh and makes sure a Redis answers, or stops at once.
    globalSetup: ['./scripts/test-preflight.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'bench/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**', CHAOS],
          testTimeout: 20_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'chaos',
          include: [CHAOS],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 180_000,
          hookTimeout: 60_000,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
