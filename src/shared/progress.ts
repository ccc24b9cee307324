/** Rate and time-left estimates for a job's progress: pure arithmetic, shared by UI and CLI. */
import { amount, count, formatNumber, singularOf } from './words';

export interface Estimate {
  /** Units per second, smoothed; null until there is enough to go on. */
  rate: number | null;
  /** Seconds left at that rate; null while estimating (or without a total). */
  etaSeconds: number | null;
}

/** The rate is measured over the last this many milliseconds of work… */
const WINDOW_MS = 10_000;
/** …once work has gone on for at least this long after its first unit (model loading and other warm-up excluded). */
const MIN_SPAN_MS = 2_000;
/** Time constant of the smoothing: the estimate follows a change of pace within a few of these. */
const SMOOTHING_MS = 5_000;

/**
 * A job's rate and time left, per stage (a stage is a new unit, or a count starting over). The
 * time before the first unit is done (loading a model, finding files) says nothing about the pace
 * of the rest, so it is left out; the rate is measured over a sliding window of recent work and
 * smoothed, so the estimate neither starts at "50 minutes" for two minutes of work nor jumps
 * about. Until there is enough to go on it gives nothing, and the UI says "estimating…".
 */
export class ProgressEstimator {
  private unit: string | null = null;
  private lastDone = 0;
  private samples: { t: number; done: number }[] = [];
  private smoothed: number | null = null;
  private smoothedAt = 0;

  update(done: number, total: number | null, unit: string, nowMs: number): Estimate {
    if (unit !== this.unit || done < this.lastDone) {
      this.unit = unit;
      this.samples = [];
      this.smoothed = null;
    }
    this.lastDone = done;
    if (total !== null && done >= total) return { rate: this.smoothed, etaSeconds: 0 };
    if (done > 0 && (this.samples.length === 0 || done > this.samples.at(-1)!.done)) this.samples.push({ t: nowMs, done });
    while (this.samples.length > 2 && nowMs - this.samples[1].t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last === first || last.t - first.t < MIN_SPAN_MS) return { rate: null, etaSeconds: null };
    const windowRate = (last.done - first.done) / ((last.t - first.t) / 1000);
    if (this.smoothed === null) this.smoothed = windowRate;
    else this.smoothed += (1 - Math.exp(-(nowMs - this.smoothedAt) / SMOOTHING_MS)) * (windowRate - this.smoothed);
    this.smoothedAt = nowMs;
    const etaSeconds = total === null || this.smoothed <= 0 ? null : (total - done) / this.smoothed;
    return { rate: this.smoothed, etaSeconds };
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Time left in words, rounded as people say it: "less than a minute", "about 3 minutes", "about 1 hour 20 minutes". */
export function describeTimeLeft(seconds: number): string {
  if (seconds < 50) return 'less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${count(minutes, 'minute')}`;
  const hours = Math.floor(minutes / 60);
  const rest = Math.round((minutes % 60) / 10) * 10;
  return `about ${count(hours, 'hour')}${rest ? ` ${count(rest, 'minute')}` : ''}`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** A count in its unit, readable: bytes scale to KB/MB/GB, other units keep their name, in the singular for one. */
export function formatAmount(value: number, unit: string): string {
  if (unit !== 'bytes') return unit ? amount(Math.round(value), unit) : formatNumber(Math.round(value));
  let scaled = value;
  let index = 0;
  while (scaled >= 1000 && index < BYTE_UNITS.length - 1) {
    scaled /= 1000;
    index++;
  }
  return `${scaled.toFixed(index === 0 ? 0 : 1)} ${BYTE_UNITS[index]}`;
}

/** A rate in its unit per second: "1 photo/s", "12.5 photos/s", "2.1 MB/s". */
export function formatRate(rate: number, unit: string): string {
  if (unit === 'bytes') return `${formatAmount(rate, unit)}/s`;
  const shown = rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10;
  return `${count(shown, singularOf(unit))}/s`;
}
