/**
 * The input normalisation a float model's authors published in its TFLite metadata (the
 * TFLITE_METADATA buffer, a FlatBuffer of metadata_schema.fbs): NormalizationOptions on the
 * first input tensor, meaning the model takes (pixel − mean) / std, per channel or one value for
 * all three.
 */
import { FlatBufferError, FlatTable } from './flatTable';
import { METADATA_FIELDS, NORMALIZATION_OPTIONS, TFLITE_METADATA } from './schema';
import { tfliteError, type TfliteModel } from './tfliteModel';

export interface Normalization {
  mean: number[];
  std: number[];
}

/** The first input's normalisation, or null when the model's metadata does not give one. */
export function inputNormalization(model: TfliteModel): Normalization | null {
  const bytes = model.metadata.get(TFLITE_METADATA);
  if (!bytes) return null;
  try {
    const f = METADATA_FIELDS;
    const root = FlatTable.root(bytes, 'M001', 'TFLite metadata');
    const input = root.tables(f.ModelMetadata.subgraphMetadata)[0]?.tables(f.SubGraphMetadata.inputTensorMetadata)[0];
    const options = input?.tables(f.TensorMetadata.processUnits).find((unit) => unit.uint8(f.ProcessUnit.optionsType) === NORMALIZATION_OPTIONS)?.table(f.ProcessUnit.options);
    if (!options) return null;
    const normalization = { mean: options.float32s(f.NormalizationOptions.mean), std: options.float32s(f.NormalizationOptions.std) };
    const sizes = [normalization.mean.length, normalization.std.length];
    if (sizes.some((n) => n !== 1 && n !== 3) || normalization.std.some((s) => s === 0)) {
      throw tfliteError(model.file, `has input normalisation metadata Graft cannot use (mean ${JSON.stringify(normalization.mean)}, std ${JSON.stringify(normalization.std)}): it needs one or three values each, and no zero std.`);
    }
    return normalization;
  } catch (error) {
    if (error instanceof FlatBufferError) throw tfliteError(model.file, `has damaged metadata: ${error.message}.`);
    throw error;
  }
}
