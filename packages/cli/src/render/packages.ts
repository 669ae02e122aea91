import type { StoredPackage } from '@exrollout/core';
import { table } from './table.js';

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

/** Renders GET /api/v1/packages as a table. */
export function renderPackages(answer: { packages: StoredPackage[] }): string {
  if (answer.packages.length === 0) return 'No packages in the store.\n';
  const rows = answer.packages.map((p) => [
    p.sha256,
    p.file,
    p.update,
    p.architecture,
    mb(p.size),
    p.uploadedAt,
  ]);
  return `${table([['SHA256', 'FILE', 'UPDATE', 'ARCH', 'SIZE', 'UPLOADED'], ...rows])}\n`;
}

/** Renders one stored package. */
export function renderPackage(p: StoredPackage): string {
  const rows = [
    ['SHA-256', p.sha256],
    ['File', p.file],
    ['Update', `${p.update} (${p.architecture})`],
    ['Size', `${p.size} bytes (${mb(p.size)})`],
    ['Uploaded', `${p.uploadedAt} by ${p.uploadedBy}`],
  ];
  return `${table(rows)}\n`;
}

/** Renders the answer to `packages add`: stored, or already there. */
export function renderAdded(p: StoredPackage, created: boolean): string {
  return `${created ? 'Stored' : 'Already stored:'} ${p.file} (${p.update}, ${p.architecture}, ${mb(p.size)})\nSHA-256 ${p.sha256}\n`;
}

/** One line of upload progress, for a terminal that redraws it. */
export function progressLine(file: string, sent: number, size: number): string {
  const percent = size === 0 ? 100 : Math.floor((sent * 100) / size);
  return `Uploading ${file}: ${percent}% (${mb(sent)} of ${mb(size)})`;
}
