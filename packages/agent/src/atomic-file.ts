import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes `value` as JSON to `dir/name` so that a crash leaves the old file or the new one, never half of one:
 * a temporary file in the same folder, mode 0600, flushed, then renamed over the target. Throws the file
 * system's error (after removing the temporary file); callers wrap it in their own error.
 */
export async function writeJsonAtomically(dir: string, name: string, value: unknown): Promise<void> {
  const temp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
      // The rename must not land before the data does, or a crash could leave an empty file.
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(dir, name));
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
