import { type MaintenanceWindow, WEEKDAYS } from './policy.js';

type Weekday = (typeof WEEKDAYS)[number];

const formatters = new Map<string, Intl.DateTimeFormat>();
const MINUTE = 60_000;
// A week and a day: every weekly window opens at least once in that span.
const SEARCH_LIMIT_MINUTES = 8 * 24 * 60;

/** True if `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** True when `now` falls inside any window; no windows means any time. */
export function insideWindows(windows: readonly MaintenanceWindow[], now: Date): boolean {
  return windows.length === 0 || windows.some((window) => insideWindow(window, now));
}

/** The first minute at or after `now` inside a window, or undefined if none opens within eight days. */
export function nextWindowOpening(windows: readonly MaintenanceWindow[], now: Date): Date | undefined {
  if (insideWindows(windows, now)) return now;
  const start = Math.ceil(now.getTime() / MINUTE) * MINUTE;
  for (let minute = 0; minute <= SEARCH_LIMIT_MINUTES; minute++) {
    const candidate = new Date(start + minute * MINUTE);
    if (insideWindows(windows, candidate)) return candidate;
  }
  return undefined;
}

function insideWindow(window: MaintenanceWindow, now: Date): boolean {
  const { day, minutes } = localTime(window.timeZone, now);
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  const days = window.days as readonly Weekday[];
  if (start < end) return days.includes(day) && minutes >= start && minutes < end;
  // Runs past midnight (or all day when start equals end): the evening of a listed day, the morning after it.
  return (days.includes(day) && minutes >= start) || (days.includes(previousDay(day)) && minutes < end);
}

function localTime(timeZone: string, now: Date): { day: Weekday; minutes: number } {
  const parts = formatterFor(timeZone).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = part('weekday').toLowerCase().slice(0, 3) as Weekday;
  return { day, minutes: (Number(part('hour')) % 24) * 60 + Number(part('minute')) };
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function toMinutes(text: string): number {
  const [hours = 0, minutes = 0] = text.split(':').map(Number);
  return hours * 60 + minutes;
}

function previousDay(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7] as Weekday;
}
