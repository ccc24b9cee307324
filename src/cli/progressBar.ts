/**
 * Progress for long CLI work, on stderr so that stdout stays clean for --json. On a terminal it
 * redraws one bar in place; in logs (CI, pipes) it prints a plain line every few seconds.
 */
import type { JobProgress } from '../shared/api/jobs';
import { formatAmount, formatDuration, formatRate } from '../shared/progress';
import { formatNumber } from '../shared/words';

const LOG_INTERVAL_MS = 3000;
const WIDTH = 28;

export class ProgressBar {
  private lastLog = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {}

  update(title: string, progress: JobProgress): void {
    if (!this.enabled) return;
    const line = describe(title, progress);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 100) - 1)}`);
      this.drawn = true;
    } else if (Date.now() - this.lastLog >= LOG_INTERVAL_MS) {
      this.lastLog = Date.now();
      this.stream.write(`${line}\n`);
    }
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}

function describe(title: string, p: JobProgress): string {
  const fraction = p.total ? Math.min(1, p.done / p.total) : null;
  const bar = fraction === null ? '' : `[${'█'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '·')}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
  const amount = p.total ? `${p.unit === 'bytes' ? formatAmount(p.done, p.unit) : formatNumber(p.done)} of ${formatAmount(p.total, p.unit)}` : p.unit ? formatAmount(p.done, p.unit) : '';
  const rate = p.rate ? ` · ${formatRate(p.rate, p.unit)}` : '';
  const eta = p.etaSeconds !== null ? ` · ${formatDuration(p.etaSeconds)} left` : '';
  return `${title}: ${bar}${amount}${rate}${eta}${p.message ? ` · ${p.message}` : ''}`;
}
