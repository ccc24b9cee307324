/**
 * One word for one thing across the interface: a run is "Run 7" (never "Run #7" or "#7"), a pass
 * over the photos is a "pass" where people read it (the word "epochs" only in technical details),
 * ratios go through ratio() ("7.2×"), never a hand-made "x" or a fixed number of decimals, a
 * pretrained model is a "network" (never a "backbone" where people read it), and the small one
 * that learns from the photos alone is "learned from scratch" (never a "CNN", a "baseline" or
 * "from-scratch").
 */
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';

// Read through Vite (the renderer has no Node APIs): every source of the interface, as text.
// The job registry too: its titles head the notifications and the jobs drawer.
const texts = import.meta.glob(['../**/*.svelte', '../**/*.ts', '!../**/*.test.ts', '../../shared/jobs/registry.ts'], { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;
const sources = Object.entries(texts).map(([file, text]) => ({ file, text }));

/** Comments may use the code's words ("backbone"); what people read may not. */
const isComment = (line: string) => /^\s*(\/\/|\/?\*|<!--)/.test(line);
const offendingWords = (pattern: RegExp) =>
  sources.flatMap(({ file, text }) => text.split('\n').flatMap((line, i) => (!isComment(line) && pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
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

  it('calls a pretrained model a network, never a backbone', () => {
    expect(offendingWords(/\b(?:[Cc]ompare|[Aa]|[Tt]he|[Ee]very|[Tt]his|[Yy]our|[Ss]tronger) backbones?\b/)).toEqual([]);
  });

  it('says "learned from scratch", never "CNN", "baseline", "from-scratch" or "trained from scratch"', () => {
    expect(offendingWords(/\bCNN\b|\bbaseline\b(?!;)|from-scratch|trained from scratch/i)).toEqual([]);
  });
});
