import { describe, expect, it } from 'vitest';
import type { MaintenanceWindow } from './policy.js';
import { insideWindows, isKnownTimeZone, nextWindowOpening } from './windows.js';

// Stockholm is UTC+1 in December 2026 (CET); 2026-12-05 is a Saturday. Local times are worked out by hand.
const zone = 'Europe/Stockholm';
const saturdayDay: MaintenanceWindow = { days: ['sat'], start: '09:00', end: '17:00', timeZone: zone };
const saturdayNight: MaintenanceWindow = { days: ['sat'], start: '22:00', end: '04:00', timeZone: zone };
const at = (iso: string) => new Date(iso);

describe('maintenance windows', () => {
  it('knows IANA zones and refuses made-up ones', () => {
    expect(isKnownTimeZone(zone)).toBe(true);
    expect(isKnownTimeZone('America/New_York')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('opens a daytime window at its start minute, local time, and closes it at its end minute', () => {
    const inside = (iso: string) => insideWindows([saturdayDay], at(iso));
    expect(inside('2026-12-05T07:59:00Z')).toBe(false); // 08:59 local
    expect(inside('2026-12-05T08:00:00Z')).toBe(true); // 09:00
    expect(inside('2026-12-05T08:30:00Z')).toBe(true); // 09:30
    expect(inside('2026-12-05T15:59:00Z')).toBe(true); // 16:59
    expect(inside('2026-12-05T16:00:00Z')).toBe(false); // 17:00
    expect(inside('2026-12-04T12:00:00Z')).toBe(false); // Friday 13:00
    expect(inside('2026-12-06T12:00:00Z')).toBe(false); // Sunday 13:00
  });

  it('runs a window whose end is before its start past midnight, into the morning after a listed day', () => {
    const inside = (iso: string) => insideWindows([saturdayNight], at(iso));
    expect(inside('2026-12-05T20:59:00Z')).toBe(false); // Saturday 21:59
    expect(inside('2026-12-05T21:00:00Z')).toBe(true); // Saturday 22:00
    expect(inside('2026-12-05T23:30:00Z')).toBe(true); // Sunday 00:30
    expect(inside('2026-12-06T02:59:00Z')).toBe(true); // Sunday 03:59
    expect(inside('2026-12-06T03:00:00Z')).toBe(false); // Sunday 04:00
    expect(inside('2026-12-05T02:00:00Z')).toBe(false); // Saturday 03:00: Friday is not listed
    expect(inside('2026-12-06T21:30:00Z')).toBe(false); // Sunday 22:30: Sunday is not listed
  });

  it('keeps the minutes of a window that starts and ends off the hour', () => {
    const lunch: MaintenanceWindow = { days: ['sat'], start: '11:30', end: '12:15', timeZone: zone };
    const inside = (iso: string) => insideWindows([lunch], at(iso));
    expect(inside('2026-12-05T10:29:00Z')).toBe(false); // 11:29 local
    expect(inside('2026-12-05T10:30:00Z')).toBe(true); // 11:30
    expect(inside('2026-12-05T11:14:00Z')).toBe(true); // 12:14
    expect(inside('2026-12-05T11:15:00Z')).toBe(false); // 12:15
  });

  it('is open any time without windows, and when any one of several windows is open', () => {
    expect(insideWindows([], at('2026-12-02T12:00:00Z'))).toBe(true);
    expect(insideWindows([saturdayDay, saturdayNight], at('2026-12-05T10:00:00Z'))).toBe(true);
    expect(insideWindows([saturdayDay, saturdayNight], at('2026-12-05T22:00:00Z'))).toBe(true);
    expect(insideWindows([saturdayDay, saturdayNight], at('2026-12-05T19:00:00Z'))).toBe(false);
  });

  it('reads the hour in the zone of each window, not the server clock', () => {
    const newYork: MaintenanceWindow = {
      days: ['sat'],
      start: '09:00',
      end: '17:00',
      timeZone: 'America/New_York',
    };
    // 14:00 UTC is 09:00 in New York (EST, UTC-5) and 15:00 in Stockholm.
    expect(insideWindows([newYork], at('2026-12-05T13:59:00Z'))).toBe(false);
    expect(insideWindows([newYork], at('2026-12-05T14:00:00Z'))).toBe(true);
  });

  it('says when the next window opens: now while one is open, else the first minute of the next', () => {
    const open = at('2026-12-05T10:15:30Z');
    expect(nextWindowOpening([saturdayDay], open)).toEqual(open);
    expect(nextWindowOpening([saturdayDay], at('2026-12-04T20:00:30Z'))).toEqual(at('2026-12-05T08:00:00Z'));
    // Just closed: the next Saturday, six days and sixteen hours later.
    expect(nextWindowOpening([saturdayDay], at('2026-12-05T16:00:00Z'))).toEqual(at('2026-12-12T08:00:00Z'));
    expect(nextWindowOpening([saturdayNight], at('2026-12-06T03:00:00Z'))).toEqual(
      at('2026-12-12T21:00:00Z'),
    );
  });
});
