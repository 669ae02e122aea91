/**
 * The steps a server can go through, in the order they run when present. `stage` is added by the server to a
 * rollout whose packages come from its store; `uninstall` is for rollback.
 */
export const STEP_NAMES = [
  'stage',
  'precheck',
  'backup-owa',
  'move-cms',
  'move-cluster-group',
  'remove-interim-updates',
  'install',
  'restart',
  'verify',
  'restore-owa',
  'uninstall',
] as const;

/** The three waves, always in this order: Internet-facing CAS, internal CAS, everything else. */
export const WAVE_NAMES = ['cas-internet-facing', 'cas-internal', 'remaining'] as const;
