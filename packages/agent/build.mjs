// Bundles the agent into one ESM file that runs on a bare Node 18+ with no node_modules beside it.
import { chmod, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const outfile = `${here}bundle/exrollout-agent.mjs`;

// ws and pino are CommonJS: inside an ESM bundle their require() calls need a real require.
const banner = [
  '#!/usr/bin/env node',
  "import { createRequire as __exrolloutCreateRequire } from 'node:module';",
  'const require = __exrolloutCreateRequire(import.meta.url);',
].join('\n');

await build({
  entryPoints: [`${here}src/main.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'esm',
  banner: { js: banner },
  // ws loads these native speed-ups only if they are installed; the bundle runs without them.
  external: ['bufferutil', 'utf-8-validate'],
  legalComments: 'none',
  // Whitespace and syntax only: identifiers keep their names, so a stack trace from a mail server stays readable.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: false,
  logLevel: 'warning',
});
await chmod(outfile, 0o755);

const { size } = await stat(outfile);
console.log(`bundle/exrollout-agent.mjs: ${(size / 1024).toFixed(1)} KiB`);
