import { describe, expect, it } from 'vitest';
import { catalogueTitle, checkWords, downloadSize, expectedCheck, sizeWords } from './backboneDownloads';
import { BACKBONES, TFLITE_BACKBONES } from './catalogue';

describe('download sizes of the catalogue', () => {
  it('are exact where the published files are recorded: MobileNetV1 0.75 (every file, model.json included) and the Coral TFLite files', () => {
    expect(downloadSize('mobilenet_v1_0.75_224')).toEqual({ bytes: 10_457_307, exact: true });
    expect(downloadSize('coral_mobilenet_v2_1.0_224_quant')).toEqual({ bytes: 3_610_798, exact: true });
  });

  it('are estimated from the parameter count elsewhere: 4 bytes a float32 weight, 1 an int8 one', () => {
    expect(downloadSize('mobilenet_v1_1.0_224')).toEqual({ bytes: 16_800_000, exact: false });
    expect(downloadSize('mobilenet_v2_0.35_224')).toEqual({ bytes: 1_640_000, exact: false });
    expect(downloadSize('efficientnet_lite0_int8')).toEqual({ bytes: 4_700_000, exact: false });
    expect(sizeWords(downloadSize('mobilenet_v1_1.0_224'))).toBe('about 16.8 MB');
    expect(sizeWords(downloadSize('mobilenet_v1_0.75_224'))).toBe('10.5 MB');
    expect(sizeWords(null)).toBe('size not recorded');
  });

  it('are known for every downloadable backbone but MediaPipe’s embedders, and for nothing else', () => {
    const unknown = [...BACKBONES.map((b) => b.id), ...TFLITE_BACKBONES.map((b) => b.id)].filter((id) => downloadSize(id) === null);
    expect(unknown).toEqual(['mediapipe_mobilenet_v3_small_embedder', 'mediapipe_mobilenet_v3_large_embedder']);
    expect(downloadSize('imported_my_net')).toBeNull();
  });

  it('say how each download will be checked: by SHA-256 where recorded, by size, or not at all', () => {
    expect(expectedCheck('mobilenet_v1_0.75_224')).toBe('sha256');
    expect(expectedCheck('mobilenet_v2_1.0_224')).toBe('size');
    expect(expectedCheck('coral_tf2_mobilenet_v2_1.0_224_ptq')).toBe('sha256');
    expect(expectedCheck('mediapipe_mobilenet_v3_small_embedder')).toBe('unchecked');
    expect(checkWords('sha256')).toMatch(/SHA-256/);
    expect(catalogueTitle('mobilenet_v1_0.75')).toBe('MobileNetV1 0.75 (ImageNet)');
    expect(catalogueTitle('coral_mobilenet_v2_1.0_224_quant')).toMatch(/^MobileNetV2 1\.0 .*Coral\)$/);
    expect(catalogueTitle('imported_mine')).toBe('imported_mine');
  });
});
