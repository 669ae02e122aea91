export { CliError, EXIT, InputFileError, InputJsonError } from './errors.js';
export { type Output, readJsonFile, writeJson } from './io.js';
export { renderPlan } from './render/plan.js';
export { table } from './render/table.js';
export { runCli } from './run.js';
