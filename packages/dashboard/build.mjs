// Bundles the dashboard into dist/: index.html, app.js (one ES module, minified) and app.css.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = `${here}dist/`;
await mkdir(dist, { recursive: true });

const result = await build({
  entryPoints: [`${here}src/web/app.ts`],
  outfile: `${dist}app.js`,
  bundle: true,
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  format: 'esm',
  minify: true,
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
  metafile: true,
});
// The dashboard takes its names and tables from @exrollout/core ("sideEffects": false), never a library
// behind them: a name imported from a file that builds TypeBox schemas would pull in all of TypeBox (900 KB).
const bundled = Object.values(result.metafile.outputs).flatMap((output) =>
  Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) => (bytesInOutput > 0 ? [input] : [])),
);
const libraries = new Set(
  bundled.flatMap((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? []),
);
if (libraries.size > 0)
  throw new Error(`the dashboard bundle must not include libraries, but has: ${[...libraries].join(', ')}`);
await copyFile(`${here}src/web/index.html`, `${dist}index.html`);
await copyFile(`${here}src/web/app.css`, `${dist}app.css`);

const sizes = await Promise.all(
  ['index.html', 'app.js', 'app.css'].map(async (file) => [file, (await stat(`${dist}${file}`)).size]),
);
console.log(sizes.map(([file, size]) => `dist/${file}: ${(size / 1024).toFixed(1)} KiB`).join(', '));
