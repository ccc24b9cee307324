/**
 * One word for one thing across the interface: a run is "Run 7" (never "Run #7" or "#7"), a pass
 * over the photos is a "pass" where people read it (the word "epochs" only in technical details),
 * and ratios go through ratio() ("7.2×"), never a hand-made "x" or a fixed number of decimals.
 */
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';

// Read through Vite (the renderer has no Node APIs): every source of the interface, as text.
const texts = import.meta.glob(['../**/*.svelte', '../**/*.ts', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const sources = Object.entries(texts).map(([file, text]) => ({ file, text }));

const offending = (pattern: RegExp) => sources.flatMap(({ file, text }) => text.split('\n').flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));

describe('the interface’s words', () => {
  it('reads the renderer’s sources', () => {
    expect(sources.length).toBeGreaterThan(50);
  });

  it('names runs "Run 7", never "Run #7" or "#7"', () => {
    expect(offending(/\b[Rr]un #|>#\{|`#\$\{/)).toEqual([]);
  });

  it('heads no column or label "Epochs"', () => {
    expect(offending(/>\s*Epochs\s*</)).toEqual([]);
  });

  it('writes ratios with ratio(), not by hand', () => {
    expect(offending(/\}x less|\}×|formatDecimal\([^)]*\)\}?×/)).toEqual([]);
  });
});
