import { describe, expect, it } from 'vitest';
import { BACKBONES, findBackbone, technicalDetail, TFLITE_BACKBONES } from './catalogue';

describe('backbone catalogue', () => {
  it('lists MobileNetV1 and V2 at their published widths, with official addresses', () => {
    expect(BACKBONES.map((b) => b.id)).toEqual([
      'mobilenet_v1_0.25_224',
      'mobilenet_v1_0.50_224',
      'mobilenet_v1_0.75_224',
      'mobilenet_v1_1.0_224',
      'mobilenet_v2_0.35_224',
      'mobilenet_v2_0.50_224',
      'mobilenet_v2_0.75_224',
      'mobilenet_v2_1.0_224',
    ]);
    expect(findBackbone('mobilenet_v2_1.0')?.url).toMatch(/kernels_1\.00_224_no_top\/model\.json$/);
    expect(findBackbone('mobilenet_v1_0.75')?.url).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.75_224/model.json');
  });

  it('finds a backbone in any spelling of its width, and nothing else', () => {
    expect(findBackbone('mobilenet_v1_0.5')?.id).toBe('mobilenet_v1_0.50_224');
    expect(findBackbone('MobileNet_V2_0.35_224')?.id).toBe('mobilenet_v2_0.35_224');
    expect(findBackbone('resnet50')).toBeUndefined();
    expect(findBackbone('mobilenet_v1_0.6')).toBeUndefined();
  });

  it('describes backbones published as TensorFlow Lite files: official addresses, and size with checksum together', () => {
    const ids = TFLITE_BACKBONES.map((b) => b.id);
    expect(new Set([...ids, ...BACKBONES.map((b) => b.id)]).size).toBe(ids.length + BACKBONES.length);
    for (const { source } of TFLITE_BACKBONES) {
      expect(source.url).toMatch(/^https:\/\/(github\.com\/google-coral\/test_data\/raw\/104342d2d3480b3e66203073dac24f4e2dbb4c41\/|storage\.googleapis\.com\/mediapipe-models\/|tfhub\.dev\/tensorflow\/)/);
      expect(source.url).toMatch(/\.tflite$|lite-format=tflite$/);
      // A checked file has both; an unchecked one neither.
      expect(source.sha256 === null).toBe(source.bytes === null);
      if (source.sha256 !== null) expect(source.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('gives every network a short, plain title of its own, the technical words in its detail', () => {
    const titles = [...BACKBONES, ...TFLITE_BACKBONES].map((b) => b.title);
    expect(new Set(titles).size).toBe(titles.length);
    for (const title of titles) {
      // Short enough for the Train view's list beside "— to download, 4.1 MB"; no jargon.
      expect(title.length).toBeLessThanOrEqual(40);
      expect(title).not.toMatch(/quantiz|int8|uint8|TF2|ImageNet|;|embedder|extractor/i);
    }
    expect(technicalDetail(findBackbone('mobilenet_v1_0.75')!)).toMatch(/ImageNet.*Google.*\(mobilenet_v1_0\.75_224\)$/);
    const coral = TFLITE_BACKBONES.find((b) => b.id === 'coral_tf2_mobilenet_v2_1.0_224_ptq')!;
    expect(technicalDetail({ id: coral.id, family: 'imported', alpha: null, url: coral.source.url })).toMatch(/int8 post-training quantized.*Google Coral \(coral_tf2_mobilenet_v2_1\.0_224_ptq\)$/);
  });
});
