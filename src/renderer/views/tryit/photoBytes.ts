/**
 * A photo from the page (dropped, picked, pasted, or a webcam frame) as the bytes "Try it" sends:
 * redrawn at a modest size as JPEG where the browser can decode it — the model looks at 224
 * pixels, and the request stays small — else the file as it is, if it is small enough.
 */
/** The short side kept: above the 256 px Graft decodes to before cropping for the model. */
const SHORT_SIDE = 448;
/** A file the browser cannot decode (HEIC in Chromium, say) is sent as it is up to this size. */
const MAX_RAW_BYTES = 700_000;

function toBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error('The photo could not be read.'));
    reader.readAsDataURL(blob);
  });
}

/** A drawable source (a decoded photo, a video frame) as JPEG, scaled so that its short side is at most SHORT_SIDE. */
export async function jpegOf(source: CanvasImageSource, width: number, height: number): Promise<Blob> {
  const scale = Math.min(1, SHORT_SIDE / Math.min(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  canvas.getContext('2d')!.drawImage(source, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The photo could not be prepared.'))), 'image/jpeg', 0.92));
}

export async function photoForModel(file: Blob): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    if (file.size <= MAX_RAW_BYTES) return toBase64(file);
    throw new Error('This browser cannot open this kind of photo, and it is too large to send as it is. Try a JPEG or PNG.');
  }
  try {
    return await toBase64(await jpegOf(bitmap, bitmap.width, bitmap.height));
  } finally {
    bitmap.close();
  }
}
