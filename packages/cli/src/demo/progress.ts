/** The parts of a rollout the progress display reads. */
export interface ProgressRollout {
  readonly id: string;
  readonly state: string;
  readonly reason: string | null;
  readonly waves: readonly {
    readonly name: string;
    readonly state: string;
    readonly servers: readonly {
      readonly name: string;
      readonly state: string;
      readonly step: string | null;
      readonly progress?: { readonly message: string };
    }[];
  }[];
}

const WIDTH = 24;

/** One line per wave (a bar of finished servers, counts by state) and one per running server. */
export function progressLines(rollout: ProgressRollout): string[] {
  const lines = [`rollout ${rollout.id}: ${rollout.state}${rollout.reason ? ` (${rollout.reason})` : ''}`];
  for (const wave of rollout.waves) {
    const total = wave.servers.length;
    const counts = new Map<string, number>();
    for (const server of wave.servers) counts.set(server.state, (counts.get(server.state) ?? 0) + 1);
    const finished = total - (counts.get('pending') ?? 0) - (counts.get('running') ?? 0);
    const filled = total === 0 ? WIDTH : Math.round((finished / total) * WIDTH);
    const detail = [...counts].map(([state, n]) => `${n} ${state}`).join(', ') || 'empty';
    lines.push(
      `  ${wave.name.padEnd(20)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${finished}/${total}  ${detail}`,
    );
    for (const server of wave.servers.filter((s) => s.state === 'running'))
      lines.push(
        `      ${server.name.padEnd(15)} ${server.step ?? ''}${server.progress ? `: ${server.progress.message}` : ''}`,
      );
  }
  return lines;
}
