/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), UTC: numbers, `*`,
 * lists, ranges and steps. Enough for a sweep schedule; day-of-month and day-of-week combine as in
 * cron (either matches when both are restricted).
 */
export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  daysRestricted: boolean;
  weekdaysRestricted: boolean;
}

/** Each field's bounds, and its numbers within them as a regular expression (leading zeros allowed, as `Number` reads them). */
const FIELDS = [
  { name: "minute", min: 0, max: 59, number: "0*[1-5]?[0-9]" },
  { name: "hour", min: 0, max: 23, number: "0*(?:1?[0-9]|2[0-3])" },
  { name: "day of month", min: 1, max: 31, number: "0*(?:[1-9]|[12][0-9]|3[01])" },
  { name: "month", min: 1, max: 12, number: "0*(?:[1-9]|1[0-2])" },
  { name: "day of week", min: 0, max: 7, number: "0*[0-7]" },
] as const;

/**
 * What `parseCron` accepts, as one regular expression for the JSON Schema (editors check it as you
 * type), except that a range's ends must be in order (`30-10` matches here and is refused by Dockhand).
 */
export const CRON_PATTERN = `^\\s*${FIELDS.map(({ number }) => {
  const item = `(?:\\*|(?:${number})(?:-(?:${number}))?)(?:/0*[1-9][0-9]*)?`;
  return `${item}(?:,${item})*`;
}).join("\\s+")}\\s*$`;

/** Parses an expression, or returns what is wrong with it. */
export function parseCron(expression: string): Cron | string {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields (minute hour day month weekday), got ${parts.length}`;
  const sets: Set<number>[] = [];
  for (const [index, field] of FIELDS.entries()) {
    const values = new Set<number>();
    for (const item of (parts[index] ?? "").split(",")) {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!match) return `the ${field.name} field ${JSON.stringify(item)} is not a number, range, list, step or *`;
      const from = match[1] === "*" ? field.min : Number(match[2]);
      const to =
        match[1] === "*"
          ? field.max
          : match[3] !== undefined
            ? Number(match[3])
            : match[4] !== undefined
              ? field.max
              : from;
      const step = match[4] !== undefined ? Number(match[4]) : 1;
      if (from < field.min || to > field.max || from > to || step < 1)
        return `the ${field.name} field ${JSON.stringify(item)} is outside ${field.min}–${field.max}`;
      for (let value = from; value <= to; value += step)
        values.add(field.name === "day of week" && value === 7 ? 0 : value);
    }
    sets.push(values);
  }
  const [minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  return {
    minutes,
    hours,
    days,
    months,
    weekdays,
    daysRestricted: parts[2] !== "*",
    weekdaysRestricted: parts[4] !== "*",
  };
}

export function cronMatches(cron: Cron, at: Date): boolean {
  if (
    !cron.minutes.has(at.getUTCMinutes()) ||
    !cron.hours.has(at.getUTCHours()) ||
    !cron.months.has(at.getUTCMonth() + 1)
  )
    return false;
  const day = cron.days.has(at.getUTCDate());
  const weekday = cron.weekdays.has(at.getUTCDay());
  if (cron.daysRestricted && cron.weekdaysRestricted) return day || weekday;
  return day && weekday;
}

/** Whether the expression fires at some minute in [from, to). */
export function cronFiresBetween(cron: Cron, from: number, to: number): boolean {
  const minute = 60_000;
  for (let t = Math.ceil(from / minute) * minute; t < to; t += minute) if (cronMatches(cron, new Date(t))) return true;
  return false;
}

/** The last minute in (from, to] at which the expression fires, or undefined. */
export function lastCronFiring(cron: Cron, from: number, to: number): number | undefined {
  const minute = 60_000;
  for (let t = Math.floor(to / minute) * minute; t > from; t -= minute) if (cronMatches(cron, new Date(t))) return t;
  return undefined;
}
