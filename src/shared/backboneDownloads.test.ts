import { describe, expect, it } from 'vitest';
import { catalogueTitle, checkWords, downloadFailureWords, downloadSize, expectedCheck, sizeWords } from './backboneDownloads';
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
    expect(catalogueTitle('mobilenet_v1_0.75')).toBe('MobileNetV1 0.75');
    expect(catalogueTitle('coral_mobilenet_v2_1.0_224_quant')).toBe('MobileNetV2 1.0 (Coral, compact, older)');
    expect(catalogueTitle('imported_mine')).toBe('imported_mine');
  });
});

describe('a failed download in one short sentence', () => {
  const offline =
    'Could not download MobileNetV2 1.0 (coral_tf2_mobilenet_v2_1.0_224_ptq) from https://github.com/google-coral/test_data/raw/1043/tf2.tflite (fetch failed: getaddrinfo ENOTFOUND github.com). Without internet, copy its folder from a computer where Graft has it (the models folder there) into /m/coral, or start Graft with GRAFT_MODELS_DIR set to a models folder that holds it.';

  it('says there is no internet, naming the host, and nothing technical', () => {
    expect(downloadFailureWords(offline)).toBe('No internet connection: Graft could not reach github.com.');
  });

  it('says a server that hung up could not be reached, one that refused answered, and a damaged file was not kept', () => {
    expect(downloadFailureWords('Could not download X from http://127.0.0.1:8080/x/model.json (fetch failed: other side closed). Without internet, …')).toBe(
      'Graft could not reach 127.0.0.1:8080: check the internet connection, then run it again.',
    );
    expect(downloadFailureWords('https://example.org/x.tflite answered 404 Not Found.')).toBe('example.org did not send the model (it answered 404 Not Found).');
    expect(downloadFailureWords('The download of x is damaged: its SHA-256 is 0123…, where the published file’s is 4567….')).toMatch(/^The file that arrived is not the published model/);
  });

  it('keeps a short reason of another kind as it is', () => {
    expect(downloadFailureWords('Disk full.')).toBe('Disk full.');
    expect(downloadFailureWords('x'.repeat(300))).toBe('The download did not finish.');
  });
});
