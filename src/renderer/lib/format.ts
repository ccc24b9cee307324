/**
 * Numbers, counts, times and dates as the user interface writes them: one number format and
 * correct plurals everywhere (Intl, through src/shared/words.ts, which the CLI shares).
 */
import type { JobProgress } from '../../shared/api/jobs';
import { describeTimeLeft, formatAmount, formatRate } from '../../shared/progress';
import { amount, count, formatNumber } from '../../shared/words';

export { amount, confidence, count, formatNumber, listNames, noun, percent, ratio } from '../../shared/words';
export { formatAmount, formatRate } from '../../shared/progress';

export function formatBytes(bytes: number): string {
  return formatAmount(bytes, 'bytes');
}

/** Seconds of work, as people say them: "0.3 s", "45 s", "2 min 5 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${formatNumber(seconds < 10 ? Math.round(seconds * 10) / 10 : Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return `${formatNumber(minutes)} min${rest ? ` ${formatNumber(rest)} s` : ''}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An ISO date (with or without a zone) in the user's words. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** A number with exactly these decimals (F1 scores: 0.878). */
export function formatDecimal(value: number, digits: number): string {
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/**
 * A running job's progress in plain words: what it is doing, how far, and how long is left —
 * "estimating…" until the pace is known. Epochs are "passes over the photos", with a word that
 * training stops by itself before the maximum.
 */
export function progressWords(p: JobProgress): { doing: string; howFar: string; timeLeft: string } {
  if (p.unit === 'epochs') {
    return {
      doing: p.message.startsWith('Fine-tuning') ? 'Fine-tuning the network' : 'Learning from the photos',
      howFar: p.total ? `pass ${formatNumber(p.done)} of at most ${formatNumber(p.total)} (it stops by itself once it no longer improves)` : `pass ${formatNumber(p.done)}`,
      // Early stopping usually ends sooner: the time for every pass is only the most it can take.
      timeLeft: p.etaSeconds === null ? '' : p.etaSeconds < 50 ? 'less than a minute left' : `at most ${describeTimeLeft(p.etaSeconds).replace(/^about /, '')} left`,
    };
  }
  const howFar = p.total ? `${formatNumber(p.done)} of ${amount(p.total, p.unit)}` : p.unit && p.done ? amount(p.done, p.unit) : '';
  const rate = p.rate ? formatRate(p.rate, p.unit) : '';
  const left = p.total === null ? '' : p.etaSeconds === null ? 'estimating time left…' : `${describeTimeLeft(p.etaSeconds)} left`;
  return { doing: withNumbersFormatted(p.message), howFar, timeLeft: [left, rate].filter(Boolean).join(' · ') };
}

/** A job's own message ("1216 new, 3 with problems") with its whole numbers in the one number format ("1,216 new"). */
export function withNumbersFormatted(message: string): string {
  return message.replace(/(?<![\d.,])\d{4,}(?![\d.,])/g, (digits) => formatNumber(Number(digits)));
}

/** "3 photos" when counting photos, etc.: a count of a known unit in words. */
export function photos(n: number): string {
  return count(n, 'photo');
}
