import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/reporters';

/** Ends every run with the line CI reads, after the default summary: `N passed, N failed[, N skipped]`. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const counts = { passed: 0, failed: errors.length, skipped: 0 };
    for (const file of files) {
      const before = counts.passed + counts.failed + counts.skipped;
      count(file, counts);
      // A file that failed to load has no tests: count it, or a broken file would look green.
      if (file.result?.state === 'fail' && counts.passed + counts.failed + counts.skipped === before)
        counts.failed++;
    }
    const tail = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${tail}\n`);
  }
}

function count(task: RunnerTask, counts: { passed: number; failed: number; skipped: number }): void {
  if (task.type === 'suite') {
    for (const child of task.tasks) count(child, counts);
    return;
  }
  const state = task.result?.state;
  if (state === 'pass') counts.passed++;
  else if (state === 'fail') counts.failed++;
  else counts.skipped++;
}
