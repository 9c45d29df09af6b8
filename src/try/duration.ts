/** Milliseconds from `300`, `90s` or `5m`. */
export function parseDuration(raw: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m)?\s*$/.exec(raw);
  const value = match ? Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!(value >= 1000 && value <= 3_600_000))
    throw new Error(`"${raw}" is not a duration from 1s to 60m (e.g. 90s, 5m, 300).`);
  return value;
}

/** `5m`, `2m 30s`, `45s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${seconds % 60 ? ` ${seconds % 60}s` : ''}` : `${seconds}s`;
}
