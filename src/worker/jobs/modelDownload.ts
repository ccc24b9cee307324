/**
 * What every backbone download shares: where a file is fetched from (the publisher, or
 * GRAFT_MODEL_MIRROR laid out as a models folder), fetching it with a cap on its size, the
 * sentence a person reads when the address cannot be reached, and the licence saved beside the
 * weights.
 */
import { licenceUrl } from '../../shared/catalogue';

/** `relative` under GRAFT_MODEL_MIRROR (an offline mirror, the tests), or null to use the publisher's address. */
export function mirrored(relative: string): string | null {
  const mirror = process.env.GRAFT_MODEL_MIRROR;
  return mirror ? new URL(relative, mirror.endsWith('/') ? mirror : `${mirror}/`).toString() : null;
}

/** fetch's own message says only "fetch failed": the reason is in its cause (ENOTFOUND, ECONNREFUSED…). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : null;
  return cause && cause !== error.message ? `${error.message}: ${cause}` : error.message;
}

/**
 * The sentence for a download that could not start: which model, from where, why, and the two
 * ways to get it without internet.
 */
export function cannotDownload(what: string, url: string, target: string, error: unknown): Error {
  return new Error(
    `Could not download ${what} from ${url} (${reasonOf(error)}). ` +
      `Without internet, copy its folder from a computer where Graft has it (the models folder there) into ${target}, ` +
      'or start Graft with GRAFT_MODELS_DIR set to a models folder that holds it.',
  );
}

/**
 * The body of `url`, read as it arrives with `onBytes` told the count so far; refused past
 * `maxBytes`, so a wrong or hostile address cannot fill the memory or the disk.
 */
export async function fetchBytes(url: string, signal: AbortSignal, maxBytes: number, onBytes: (received: number, declared: number | null) => void = () => {}): Promise<Buffer> {
  const response = await fetch(url, { signal });
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status} ${response.statusText}.`);
  const declared = Number(response.headers.get('content-length')) || null;
  if (declared !== null && declared > maxBytes) throw new Error(`${url} sends ${declared} bytes, more than the ${maxBytes} expected: it is not the published model.`);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.length;
    if (received > maxBytes) throw new Error(`${url} sent more than the ${maxBytes} bytes expected: it is not the published model.`);
    chunks.push(Buffer.from(chunk));
    onBytes(received, declared);
  }
  return Buffer.concat(chunks);
}

/** The licence of the weights, saved beside them as LICENSE.txt: what a user may do with the model, and where it came from. */
export function licenceText(title: string, licence: string, from: string, notes = ''): string {
  const url = licenceUrl(licence);
  return `${title}\nDownloaded by Graft from ${from} on ${new Date().toISOString().slice(0, 10)}.${notes ? `\n${notes}` : ''}\n\nLicence: ${licence}${url ? ` (${url})` : ''}.\nThe weights are the publisher's; Graft only reads them.\n`;
}
