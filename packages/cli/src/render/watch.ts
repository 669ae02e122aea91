import type { RolloutView, ServerRunView, WaveView } from '../api/types.js';
import { countsText, headline, progressText } from './rollouts.js';
import { table } from './table.js';

const DONE_STATES = new Set(['succeeded', 'failed', 'skipped', 'rolled-back']);
const BAR_WIDTH = 24;

/** Renders the live view of a rollout for a terminal: a bar per wave and the running servers. */
export function watchFrame(r: RolloutView, columns: number): string[] {
  const lines = [headline(r), ...gateLine(r), ''];
  r.waves.forEach((wave, i) => {
    const { done, total } = waveProgress(wave);
    const label = `wave ${i + 1}/${r.waves.length} ${wave.name}`.padEnd(34);
    lines.push(
      `${label} ${bar(done, total)} ${done}/${total}  ${wave.state}  ${countsText(waveCounts(wave))}`,
    );
  });
  const running = r.waves.flatMap((wave) => wave.servers.filter((s) => s.state === 'running'));
  lines.push('', `running (${running.length})`);
  if (running.length > 0)
    lines.push(
      table(
        running.map((s) => [s.name, s.step ?? '-', s.progress ? progressText(s.progress) : '']),
        '  ',
      ),
    );
  return lines.flatMap((line) => line.split('\n')).map((line) => cut(line, columns));
}

/** One status line per rollout, wave and started server, keyed so that a change shows as a new line. */
export function statusLines(r: RolloutView): Map<string, string> {
  const lines = new Map<string, string>();
  lines.set('rollout', `rollout ${r.id}: ${r.state}${r.reason ? ` (${r.reason})` : ''}`);
  for (const line of gateLine(r)) lines.set('gate', line);
  r.waves.forEach((wave, i) => {
    const { done, total } = waveProgress(wave);
    lines.set(
      `wave:${wave.name}`,
      `wave ${i + 1}/${r.waves.length} ${wave.name}: ${wave.state} ${done}/${total} done`,
    );
    for (const server of wave.servers)
      if (server.state !== 'pending') lines.set(`server:${server.name}`, serverLine(server));
  });
  return lines;
}

/** Redraws the whole view in place with ANSI cursor movement: for a terminal. */
export function framePrinter(write: (text: string) => void, columns: number): (r: RolloutView) => void {
  let height = 0;
  return (rollout) => {
    const lines = watchFrame(rollout, columns);
    const up = height > 0 ? `\x1b[${height}A` : '';
    write(`${up}\x1b[0J${lines.join('\n')}\n`);
    height = lines.length;
  };
}

/** Prints one line per change of the rollout, a wave or a server: fit for CI logs. */
export function changePrinter(write: (text: string) => void): (r: RolloutView) => void {
  const seen = new Map<string, string>();
  return (rollout) => {
    for (const [key, line] of statusLines(rollout)) {
      if (seen.get(key) === line) continue;
      seen.set(key, line);
      write(`${line}\n`);
    }
  };
}

/** Why the watch ended: `rollout r-... completed: 3 succeeded`. */
export function stopLine(r: RolloutView): string {
  const reason = r.reason ? ` (${r.reason})` : '';
  return `rollout ${r.id} ${r.state}${reason}: ${countsText(r.counts)}`;
}

// At a gate the watch waits; this says for whom.
function gateLine(r: RolloutView): string[] {
  return r.state === 'awaiting-approval'
    ? [`waiting for an approver: exrollout rollouts approve ${r.id} (Ctrl-C stops watching)`]
    : [];
}

function serverLine(s: ServerRunView): string {
  if (s.state === 'running')
    return `${s.name}: running ${s.step ?? '-'}${s.progress ? `: ${progressText(s.progress)}` : ''}`;
  if (s.state === 'failed')
    return `${s.name}: failed at ${s.step ?? '-'}${s.error ? `: ${s.error.code}: ${s.error.message}` : ''}`;
  if (s.state === 'succeeded') return `${s.name}: succeeded on ${s.toBuild ?? '?'}`;
  return `${s.name}: ${s.state}${s.error ? `: ${s.error.code}: ${s.error.message}` : ''}`;
}

function waveProgress(wave: WaveView): { done: number; total: number } {
  return { done: wave.servers.filter((s) => DONE_STATES.has(s.state)).length, total: wave.servers.length };
}

function waveCounts(wave: WaveView): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const server of wave.servers) counts[server.state] = (counts[server.state] ?? 0) + 1;
  return counts;
}

function bar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

function cut(line: string, columns: number): string {
  return line.length > columns ? `${line.slice(0, Math.max(columns - 1, 1))}~` : line;
}
