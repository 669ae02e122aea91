// npm links workspace bins at install time, before dist/ exists; make them executable once built.
import { chmodSync, existsSync } from 'node:fs';

for (const bin of ['packages/cli/dist/main.js']) {
  if (existsSync(bin)) chmodSync(bin, 0o755);
}
