import type { HostDriver } from '../drivers/types.js';

/** The optional ability of a driver to say when its host changed (the simulated driver has it). */
export interface ChangeNotifier {
  /** Registers a listener; may return a function that removes it. */
  onChange(listener: (...args: never[]) => void): unknown;
}

/** True when the driver can report changes as they happen. */
export function canNotifyChanges(driver: HostDriver): driver is HostDriver & ChangeNotifier {
  return typeof (driver as Partial<ChangeNotifier>).onChange === 'function';
}

/** Listens to the driver's changes, if it reports any; returns a function that stops listening. */
export function subscribeToChanges(driver: HostDriver, listener: () => void): () => void {
  if (!canNotifyChanges(driver)) return () => {};
  let active = true;
  const removal = driver.onChange(() => {
    if (active) listener();
  });
  return () => {
    // Drivers that cannot remove a listener keep a dead one; the flag makes it inert.
    active = false;
    if (typeof removal === 'function') removal();
  };
}
