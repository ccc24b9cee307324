/**
 * Which device onnxruntime runs Graft's networks on. The user's GPU when the platform's provider
 * can use it — CoreML on macOS, DirectML on Windows, CUDA where its libraries are installed, else
 * WebGPU — and the CPU otherwise, or when the user asks for it (GRAFT_COMPUTE=cpu, the app's
 * setting). A provider that fails is never fatal: the session is made on the CPU and the reason is
 * kept, shown with each run and classification. Failures are remembered in the user's data
 * folder, so later jobs do not try a provider known to fail with this onnxruntime.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { userDataDir } from '../../node/paths';

export interface ComputeDevice {
  /** The provider that runs the session: 'cpu', 'coreml', 'dml', 'cuda' or 'webgpu'. */
  provider: string;
  /** For people: "onnxruntime 1.30.0 on the CPU (2 threads); WebGPU unavailable: no GPU adapter". */
  description: string;
}

const PROVIDER_NAMES: Record<string, string> = { cpu: 'the CPU', coreml: 'the GPU (CoreML)', dml: 'the GPU (DirectML)', cuda: 'the GPU (CUDA)', webgpu: 'the GPU (WebGPU)' };

/** The GPU providers worth trying here, best first. */
export function gpuCandidates(platform = process.platform): string[] {
  if (platform === 'darwin') return ['coreml'];
  if (platform === 'win32') return ['dml'];
  const supported = new Set(ort.listSupportedBackends().map((b) => b.name));
  const candidates: string[] = [];
  // CUDA's provider library is not in the npm package; it is there when the user installed it beside the binding.
  if (supported.has('cuda') && cudaLibraryPresent()) candidates.push('cuda');
  // On Linux WebGPU runs on Vulkan: without its loader there is nothing to try (and trying prints a warning).
  if (supported.has('webgpu') && (platform !== 'linux' || vulkanPresent())) candidates.push('webgpu');
  return candidates;
}

const VULKAN_LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1', '/lib/x86_64-linux-gnu/libvulkan.so.1'];

function vulkanPresent(): boolean {
  return VULKAN_LOADERS.some((file) => fs.existsSync(file));
}

function cudaLibraryPresent(): boolean {
  try {
    const binding = path.dirname(createRequire(__filename).resolve('onnxruntime-node/package.json'));
    const folder = path.join(binding, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(path.join(folder, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

interface Remembered {
  onnxruntime?: string;
  /** Providers that failed with this onnxruntime, and why. */
  failed?: Record<string, string>;
  /** A provider being tried: if it is still here later, trying it took its process down. */
  trying?: string | null;
}

function computeFile(): string {
  return path.join(userDataDir(), 'compute.json');
}

function remembered(): Remembered {
  try {
    const saved = JSON.parse(fs.readFileSync(computeFile(), 'utf8')) as Remembered;
    return saved.onnxruntime === ort.env.versions.common ? saved : {};
  } catch {
    return {};
  }
}

function remember(change: (saved: Remembered) => Remembered): void {
  try {
    fs.mkdirSync(userDataDir(), { recursive: true });
    fs.writeFileSync(computeFile(), JSON.stringify({ ...change(remembered()), onnxruntime: ort.env.versions.common }, null, 2));
  } catch {
    // Remembering is an optimisation: a read-only data folder only means trying again next time.
  }
}

/** Providers known to fail here: those that failed, and one whose trial never came back (a crash). */
function knownFailures(): Record<string, string> {
  const saved = remembered();
  const failed = { ...(saved.failed ?? {}) };
  if (saved.trying && !failed[saved.trying]) {
    failed[saved.trying] = 'trying it stopped the process that tried';
    remember((s) => ({ ...s, failed, trying: null }));
  }
  return failed;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // onnxruntime's messages start with the source location: keep what follows it.
  return (text.split('\n')[0].replace(/^\S+\.(cc|cpp|h):\d+\s+/, '').replace(/^.*?\]\s*/, '') || text).slice(0, 200);
}

/**
 * The cores the network may use: every core, or the number in GRAFT_THREADS (on the CPU, shared
 * by two sessions; on a GPU, the one session's CPU threads). A container's CPU limit is a quota Node 20 does not see (Kubernetes limits
 * `cpu: 4` on a 64-core node still show 64 cores), so array tasks say how many they were given.
 */
export function inferenceThreads(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.GRAFT_THREADS);
  return Number.isInteger(given) && given > 0 ? given : availableParallelism();
}

/** True when a session will run on the CPU whatever is tried: the CPU is asked for, or no GPU provider is left to try. */
export function cpuIsCertain(preferred = process.env.GRAFT_COMPUTE): boolean {
  if (preferred === 'cpu') return true;
  if (preferred && preferred !== 'auto') return false;
  const failed = knownFailures();
  return gpuCandidates().every((provider) => failed[provider]);
}

/**
 * Creates an inference session on the best device: each GPU candidate in turn, then the CPU.
 * `preferred` forces one ('cpu' to stay off the GPU); an absent one falls back like any failure.
 * `threads`: the CPU threads of this one session (all of `inferenceThreads()` by default).
 */
export async function createSession(model: Uint8Array | string, preferred = process.env.GRAFT_COMPUTE, threads = inferenceThreads()): Promise<{ session: ort.InferenceSession; device: ComputeDevice }> {
  // Between two parallel steps onnxruntime's threads spin rather than sleep: alone that is 10 %
  // faster, but a job decodes photos on the same cores while the network runs, and the spinning
  // takes their time — an import of 1000 photos measured 12 % faster without it (bench/speed.bench.mjs).
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, logSeverityLevel: 4, extra: { session: { intra_op: { allow_spinning: '0' } } } };
  const failed = knownFailures();
  const tried: string[] = [];
  const candidates = preferred === 'cpu' ? [] : preferred && preferred !== 'auto' ? [preferred] : gpuCandidates().filter((p) => !failed[p]);
  for (const provider of candidates) {
    remember((s) => ({ ...s, trying: provider }));
    try {
      const session = await ort.InferenceSession.create(model as Uint8Array, { ...options, executionProviders: [provider] });
      remember((s) => ({ ...s, trying: null }));
      return { session, device: { provider, description: `onnxruntime ${ort.env.versions.common} on ${PROVIDER_NAMES[provider] ?? provider}` } };
    } catch (error) {
      const reason = firstLine(error);
      tried.push(`${provider} unavailable: ${reason}`);
      remember((s) => ({ ...s, trying: null, failed: { ...(s.failed ?? {}), [provider]: reason } }));
    }
  }
  const session = await ort.InferenceSession.create(model as Uint8Array, { ...options, executionProviders: ['cpu'] });
  const known = Object.entries(failed).map(([p, r]) => `${p} unavailable: ${r}`);
  const why =
    preferred === 'cpu'
      ? ' (the CPU was asked for)'
      : tried.length
        ? `; ${tried.join('; ')}`
        : known.length
          ? `; ${known.join('; ')}`
          : candidates.length === 0
            ? '; no GPU provider to try here (CUDA is not installed beside onnxruntime, and WebGPU needs Vulkan)'
            : '';
  return { session, device: { provider: 'cpu', description: `onnxruntime ${ort.env.versions.common} on the CPU (${threads === 1 ? '1 thread' : `${threads} threads`})${why}` } };
}
