import { describe, expect, it } from 'vitest';
import { describeDecodeError } from './imageFiles';

describe('describeDecodeError', () => {
  it('tells a cut-short JPEG from its bytes when the decoder lost its message', () => {
    const cut = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a]);
    const whole = Buffer.concat([cut, Buffer.from([0xff, 0xd9])]);
    expect(describeDecodeError(new Error('Unknown error'), cut)).toBe('truncated or damaged image data');
    expect(describeDecodeError(new Error('Unknown error'), whole)).toBe('damaged image data (the decoder gave no reason)');
    expect(describeDecodeError(new Error('Input file has corrupt header: pngload: end of stream'))).toMatch(/^cannot decode: Input file has corrupt header/);
    expect(describeDecodeError(new Error('Input image exceeds pixel limit'))).toMatch(/too large/);
  });
});
