// StrykerJS for `npm run test:mutation` (docs/testing.md): too slow for CI, run like a benchmark. The folders are
// the decisions a wrong line would turn into a wrong rollout: core's planner, dispatcher, windows and eligibility,
// the server's engine, the agent's executor and journal. EXR_MUTATE (comma-separated globs) narrows a run.
const ALL = [
  'packages/core/src/planner/{eligibility,plan,selection,steps}.ts',
  'packages/core/src/rollout/{dispatch,windows,failures}.ts',
  'packages/server/src/engine/**/*.ts',
  'packages/agent/src/executor/**/*.ts',
  '!**/*.test.ts',
  '!packages/agent/src/executor/test-support.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: process.env.EXR_MUTATE ? [...process.env.EXR_MUTATE.split(','), '!**/*.test.ts'] : ALL,
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'tools/mutation/vitest.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // The machine is small and shared: one test process at a time.
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  ignorePatterns: ['**/dist', '**/bundle', 'reports', 'docs/screenshots', 'tools/mutation/node_modules'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
