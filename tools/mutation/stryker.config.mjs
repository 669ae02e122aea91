// StrykerJS for `npm run test:mutation` (docs/testing.md): too slow for CI, run like a benchmark. The folders are
// the decisions a wrong line would turn into a wrong rollout: core's planner, dispatcher, windows and eligibility,
// the server's engine, the agent's executor and journal. EXR_MUTATE=core,agent (scope names) narrows a run.
const SCOPES = {
  core: [
    'packages/core/src/planner/eligibility.ts',
    'packages/core/src/planner/plan.ts',
    'packages/core/src/planner/selection.ts',
    'packages/core/src/planner/steps.ts',
    'packages/core/src/rollout/dispatch.ts',
    'packages/core/src/rollout/windows.ts',
    'packages/core/src/rollout/failures.ts',
  ],
  engine: ['packages/server/src/engine/**/*.ts'],
  agent: ['packages/agent/src/executor/**/*.ts', '!packages/agent/src/executor/test-support.ts'],
};
const chosen = (process.env.EXR_MUTATE ?? 'core,engine,agent').split(',');
for (const name of chosen)
  if (!(name in SCOPES)) throw new Error(`EXR_MUTATE: no scope ${name} (core, engine, agent)`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [...chosen.flatMap((name) => SCOPES[name]), '!**/*.test.ts'],
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'tools/mutation/vitest.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // The machine is small and shared: one test process at a time.
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${chosen.join('-')}.json` },
  htmlReporter: { fileName: `reports/mutation/${chosen.join('-')}.html` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  ignorePatterns: ['**/dist', '**/bundle', 'reports', 'docs/screenshots', 'tools/mutation/node_modules'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
