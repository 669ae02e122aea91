import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findCallbackAssertions } from './callback-asserts.js';

// Part of `npm run lint`: an assertion in a callback the test does not await fails as an unhandled error (or not at
// all), never as the test. Collect what the callback saw and assert after an await instead (see docs/testing.md).
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => /(^|\/)test\/|\.test\.ts$/.test(file) && !file.includes('node_modules/'));
const found = files.flatMap((file) => findCallbackAssertions(file, readFileSync(file, 'utf8')));
for (const entry of found)
  process.stderr.write(
    `${entry.file}:${entry.line}: an assertion in ${entry.why}: the test cannot see it fail\n`,
  );
if (found.length > 0) {
  process.stderr.write(`${found.length} assertion(s) the tests do not await\n`);
  process.exitCode = 1;
}
