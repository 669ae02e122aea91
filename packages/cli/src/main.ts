#!/usr/bin/env node
import { runCli } from './run.js';

process.exitCode = await runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr },
  { env: process.env, isTTY: process.stdout.isTTY === true, columns: process.stdout.columns || 100 },
);
