import { describe, expect, it } from 'vitest';
import { trainingReadiness, type ClassSplitCount } from './readiness';

const cls = (name: string, train: number, validation: number, test: number, classId = name.length): ClassSplitCount => ({ classId, name, train, validation, test });
const kinds = (issues: { kind: string }[]) => issues.map((i) => i.kind);

describe('trainingReadiness', () => {
  it('blocks an empty project and a project with one class', () => {
    expect(kinds(trainingReadiness([]).blocks)).toEqual(['too_few_classes']);
    const one = trainingReadiness([cls('cats', 30, 5, 5), cls('dogs', 0, 0, 0)]);
    expect(kinds(one.blocks)).toEqual(['too_few_classes']);
    expect(one.blocks[0].message).toContain('only “cats”');
  });

  it('blocks a class without a training photo, naming it', () => {
    const readiness = trainingReadiness([cls('cats', 30, 5, 5), cls('dogs', 30, 5, 5), cls('birds', 0, 3, 2)]);
    expect(kinds(readiness.blocks)).toEqual(['no_training_photo']);
    expect(readiness.blocks[0].classes).toEqual(['birds']);
    expect(readiness.blocks[0].message).toMatch(/^“birds” has no photo in the training split/);
  });

  it('blocks when nothing can measure the model', () => {
    expect(kinds(trainingReadiness([cls('cats', 30, 0, 0), cls('dogs', 30, 0, 0)]).blocks)).toEqual(['nothing_to_measure']);
  });

  it('is ready with balanced classes in every split', () => {
    const readiness = trainingReadiness([cls('cats', 70, 15, 15), cls('dogs', 60, 15, 12)]);
    expect(readiness.blocks).toEqual([]);
    expect(readiness.warnings).toEqual([]);
    expect(readiness.evaluatedOn).toBe('test');
    expect(readiness.totals).toEqual({ train: 130, validation: 30, test: 27 });
  });

  it('warns about classes without a test photo, small classes and unbalanced classes', () => {
    const readiness = trainingReadiness([cls('cats', 200, 20, 20), cls('dogs', 150, 20, 0), cls('ants', 6, 1, 1)]);
    expect(readiness.blocks).toEqual([]);
    expect(kinds(readiness.warnings)).toEqual(['no_measuring_photo', 'few_photos', 'unbalanced']);
    expect(readiness.warnings[0].classes).toEqual(['dogs']);
    expect(readiness.warnings[1].classes).toEqual(['ants']);
    expect(readiness.warnings[2].message).toContain('“cats” has 240 photos, “ants” 8 photos');
  });

  it('says when validation photos stand in for a missing test split', () => {
    const readiness = trainingReadiness([cls('cats', 1000, 500, 0), cls('dogs', 1000, 500, 0)]);
    expect(readiness.evaluatedOn).toBe('validation');
    expect(kinds(readiness.warnings)).toEqual(['validation_as_test']);
    expect(readiness.warnings[0].message).toContain('1,000 validation photos will measure the model'.replace('1,000', (1000).toLocaleString()));
  });
});
