/** Rate and time-left estimates for a job's progress: pure arithmetic, shared by UI and CLI. */

/** Units per second, or null until there is enough elapsed time and work to say. */
export function progressRate(done: number, elapsedSeconds: number): number | null {
  if (elapsedSeconds < 0.5 || done <= 0) return null;
  return done / elapsedSeconds;
}

export function secondsLeft(done: number, total: number | null, rate: number | null): number | null {
  if (total === null || rate === null || rate <= 0) return null;
  return Math.max(0, (total - done) / rate);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** A count in its unit, readable: bytes scale to KB/MB/GB, other units keep their name. */
export function formatAmount(value: number, unit: string): string {
  if (unit !== 'bytes') return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
  let scaled = value;
  let index = 0;
  while (scaled >= 1000 && index < BYTE_UNITS.length - 1) {
    scaled /= 1000;
    index++;
  }
  return `${scaled.toFixed(index === 0 ? 0 : 1)} ${BYTE_UNITS[index]}`;
}
