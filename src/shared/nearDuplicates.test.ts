import { describe, expect, it } from 'vitest';
import { differenceHash, hammingDistance, nearDuplicateGroups, NEAR_DUPLICATE_BITS, NearDuplicateIndex } from './nearDuplicates';

/** A random 64-bit hash as 16 hex digits, from a seeded generator. */
function randomHashes(count: number): string[] {
  let state = 12345;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0), state);
  return Array.from({ length: count }, () => next().toString(16).padStart(8, '0') + next().toString(16).padStart(8, '0'));
}

function flipBits(hash: string, bits: number[]): string {
  const value = BigInt(`0x${hash}`);
  return bits.reduce((v, b) => v ^ (1n << BigInt(b)), value).toString(16).padStart(16, '0');
}

describe('near-duplicates', () => {
  it('hashes the brightness gradient of a 9x8 thumbnail', () => {
    const rising = Array.from({ length: 72 }, (_, i) => i % 9);
    expect(differenceHash(rising)).toBe('ffffffffffffffff');
    expect(differenceHash(rising.map((v) => 8 - v))).toBe('0000000000000000');
  });

  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('f0f0f0f0f0f0f0f0', 'f0f0f0f0f0f0f0f1')).toBe(1);
  });

  it('finds every hash within the threshold through its index, and only those, like a full comparison', () => {
    const hashes = randomHashes(2000);
    const probes = hashes.slice(0, 200).map((h, i) => flipBits(h, Array.from({ length: i % (NEAR_DUPLICATE_BITS + 3) }, (_, k) => (k * 7 + i) % 64)));
    const index = new NearDuplicateIndex();
    hashes.forEach((h, id) => index.add(id, h));
    for (const probe of probes) {
      const expected = hashes.map((h, id) => [id, hammingDistance(h, probe)] as const).filter(([, d]) => d <= NEAR_DUPLICATE_BITS).map(([id]) => id);
      expect(index.near(probe).sort((a, b) => a - b)).toEqual(expected);
    }
  });

  it('groups copies of copies together, named by the smallest id, and leaves lone photos out', () => {
    const [a, far] = randomHashes(2);
    // b and c each at the threshold from the one before; c twice the threshold from a.
    const b = flipBits(a, Array.from({ length: NEAR_DUPLICATE_BITS }, (_, k) => k));
    const c = flipBits(b, Array.from({ length: NEAR_DUPLICATE_BITS }, (_, k) => 32 + k));
    const groups = nearDuplicateGroups([
      { id: 5, hash: b },
      { id: 9, hash: c },
      { id: 2, hash: a },
      { id: 7, hash: far },
    ]);
    expect(Object.fromEntries(groups)).toEqual({ 2: 2, 5: 2, 9: 2 });
  });
});
