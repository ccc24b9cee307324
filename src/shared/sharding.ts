/**
 * Splitting a photo library into N shards, each classified by its own process (a Kubernetes
 * Indexed Job's pod, a Slurm array task, an AWS Batch array child), and merged afterwards.
 *
 * A photo's shard is a pure function of its partition key — its path relative to the folder (or
 * list file) it was given under, '/'-separated and Unicode-normalised (NFC) — so it never changes
 * when other photos are added, every shard computes the same partition without talking to the
 * others, and the partition is the same wherever the library is mounted. The function is
 * MurmurHash3 (x86, 32-bit, seed 0) of the key's UTF-8 bytes modulo N: published and simple, so
 * the partition can be reproduced outside Graft (Python: `mmh3.hash(key, signed=False) % N`).
 *
 * Which shard a process is: `--shard K/N` (K counts from 0), else the batch engine's environment.
 */
import { GraftError } from './api/errors';

export interface ShardSpec {
  /** From 0 to count − 1. */
  index: number;
  count: number;
}

export type ShardSource = 'flag' | 'kubernetes' | 'slurm' | 'aws-batch' | 'none';

export interface ShardChoice extends ShardSpec {
  source: ShardSource;
  /** Where the numbers came from, for people: "Slurm: SLURM_ARRAY_TASK_ID=3 − SLURM_ARRAY_TASK_MIN=1, …". */
  detail: string;
}

/** Every photo, in one process. */
export const WHOLE_LIBRARY: ShardChoice = { index: 0, count: 1, source: 'none', detail: 'no shard given: every photo' };

/** The most shards Graft splits into (AWS Batch allows 10,000 children, Kubernetes 100,000 indexes). */
export const MAX_SHARDS = 100_000;

const utf8 = new TextEncoder();

/** MurmurHash3 x86 32-bit of the bytes, as an unsigned integer. */
export function murmur3(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = bytes.length & 3;
  if (tail) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2] << 16;
    if (tail >= 2) k ^= bytes[blocks + 1] << 8;
    k ^= bytes[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A path as a partition key: '/'-separated (give Windows paths with '/' already), '.' and empty
 * segments dropped, '..' resolved as a path resolver would, NFC (macOS file systems store names
 * decomposed). An absolute path keeps its leading '/'.
 */
export function partitionKey(relativePath: string): string {
  const absolute = relativePath.startsWith('/');
  const parts: string[] = [];
  for (const part of relativePath.normalize('NFC').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts.at(-1) !== '..') parts.pop();
    else if (part === '..' && absolute) continue;
    else parts.push(part);
  }
  return (absolute ? '/' : '') + parts.join('/');
}

/** The shard (0 … count − 1) a photo belongs to, from its partition key. */
export function shardOf(key: string, count: number): number {
  return count === 1 ? 0 : murmur3(utf8.encode(key)) % count;
}

/** The output file name of a shard, when --out names a folder: sorted names follow the indexes. */
export function shardFileName(shard: ShardSpec): string {
  if (shard.count === 1) return 'results.jsonl';
  const width = String(shard.count - 1).length;
  return `shard-${String(shard.index).padStart(width, '0')}-of-${shard.count}.jsonl`;
}

export function describeShard(shard: ShardChoice): string {
  return shard.count === 1 ? 'every photo (no shard)' : `shard ${shard.index}/${shard.count} (${shard.detail})`;
}

const invalid = (message: string) => new GraftError('invalid_request', message);

function integer(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw invalid(`${what} is “${text}”, not a whole number.`);
  return Number.parseInt(text, 10);
}

function checked(index: number, count: number, source: ShardSource, detail: string): ShardChoice {
  if (count < 1 || count > MAX_SHARDS) throw invalid(`The number of shards must be between 1 and ${MAX_SHARDS.toLocaleString('en-US')} (${detail}).`);
  if (index >= count) throw invalid(`Shard ${index} does not exist among ${count} shards: they are numbered 0 to ${count - 1} (${detail}).`);
  return { index, count, source, detail };
}

/** `K/N` as given to --shard. */
export function parseShard(text: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw invalid(`--shard takes K/N, shard K of N counting from 0 (0/4 … 3/4), not “${text}”.`);
  return checked(Number(match[1]), Number(match[2]), 'flag', `--shard ${text.trim()}`);
}

type Environment = Readonly<Record<string, string | undefined>>;

const ENGINE_INDEX = { kubernetes: 'JOB_COMPLETION_INDEX', slurm: 'SLURM_ARRAY_TASK_ID', 'aws-batch': 'AWS_BATCH_JOB_ARRAY_INDEX' } as const;
type Engine = keyof typeof ENGINE_INDEX;
const ENGINE_NAMES: Record<Engine, string> = { kubernetes: 'Kubernetes', slurm: 'Slurm', 'aws-batch': 'AWS Batch' };

/**
 * The number of shards given by the user (--shard-count, or GRAFT_SHARD_COUNT), for the engines
 * that do not tell it; null when neither is given.
 */
function givenCount(flag: number | undefined, env: Environment): { count: number; from: string } | null {
  const variable = env.GRAFT_SHARD_COUNT;
  const fromVariable = variable !== undefined && variable !== '' ? integer(variable, 'GRAFT_SHARD_COUNT') : undefined;
  if (flag !== undefined && fromVariable !== undefined && flag !== fromVariable) {
    throw invalid(`--shard-count ${flag} and GRAFT_SHARD_COUNT=${fromVariable} disagree; give one.`);
  }
  if (flag !== undefined) return { count: flag, from: `--shard-count ${flag}` };
  if (fromVariable !== undefined) return { count: fromVariable, from: `GRAFT_SHARD_COUNT=${fromVariable}` };
  return null;
}

/** The engine's own count, checked against one the user gave too. */
function engineCount(own: { count: number; from: string } | null, user: { count: number; from: string } | null, engine: Engine, index: string): { count: number; from: string } {
  if (own && user && own.count !== user.count) throw invalid(`${ENGINE_NAMES[engine]} says ${own.from} but ${user.from}; remove ${user.from.split(/[ =]/)[0]}.`);
  const count = own ?? user;
  if (!count) {
    throw invalid(`${ENGINE_NAMES[engine]} gives this task its index (${index}) but not the number of shards: pass --shard-count N or set GRAFT_SHARD_COUNT=N (the number of tasks).`);
  }
  return count;
}

function slurmShard(env: Environment, user: { count: number; from: string } | null): ShardChoice {
  const id = integer(env.SLURM_ARRAY_TASK_ID!, 'SLURM_ARRAY_TASK_ID');
  const min = env.SLURM_ARRAY_TASK_MIN ? integer(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') : 0;
  const step = env.SLURM_ARRAY_TASK_STEP ? integer(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP') : 1;
  const own = env.SLURM_ARRAY_TASK_COUNT ? { count: integer(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT'), from: `SLURM_ARRAY_TASK_COUNT=${env.SLURM_ARRAY_TASK_COUNT}` } : null;
  const { count, from } = engineCount(own, user, 'slurm', `SLURM_ARRAY_TASK_ID=${id}`);
  const max = env.SLURM_ARRAY_TASK_MAX ? integer(env.SLURM_ARRAY_TASK_MAX, 'SLURM_ARRAY_TASK_MAX') : null;
  // A list (--array=1,4,9) has gaps: task ids then do not number the shards.
  if (step < 1 || (id - min) % step !== 0 || (max !== null && (max - min) / step + 1 !== count)) {
    throw invalid(`This Slurm array is not one range (ids ${min}…${max ?? '?'} step ${step}, ${count} tasks): submit it as --array=0-${count - 1}, or pass --shard K/N.`);
  }
  const detail = `Slurm: SLURM_ARRAY_TASK_ID=${id}${min ? ` − SLURM_ARRAY_TASK_MIN=${min}` : ''}${step !== 1 ? ` ÷ SLURM_ARRAY_TASK_STEP=${step}` : ''}, ${from}`;
  return checked((id - min) / step, count, 'slurm', detail);
}

/**
 * Which shard this process is: --shard K/N when given; else the index a batch engine put in the
 * environment, with its count (Slurm and AWS Batch say it; Kubernetes does not, so the count comes
 * from --shard-count or GRAFT_SHARD_COUNT); else the whole library. Anything ambiguous — two
 * engines' variables, counts that disagree — is refused with a sentence, never guessed.
 */
export function chooseShard(options: { shard?: string; shardCount?: number }, env: Environment): ShardChoice {
  const engines = (Object.keys(ENGINE_INDEX) as Engine[]).filter((e) => env[ENGINE_INDEX[e]] !== undefined && env[ENGINE_INDEX[e]] !== '');
  if (options.shard !== undefined) {
    const spec = parseShard(options.shard);
    if (options.shardCount !== undefined && options.shardCount !== spec.count) throw invalid(`--shard ${options.shard} and --shard-count ${options.shardCount} disagree; give --shard alone.`);
    const ignored = engines.map((e) => `${ENGINE_INDEX[e]}=${env[ENGINE_INDEX[e]]}`);
    return { ...spec, source: 'flag', detail: `--shard ${options.shard.trim()}${ignored.length ? `; ${ignored.join(', ')} ignored` : ''}` };
  }
  const user = givenCount(options.shardCount, env);
  if (engines.length > 1) throw invalid(`Both ${engines.map((e) => ENGINE_INDEX[e]).join(' and ')} are set: pass --shard K/N to say which shard this is.`);
  const [engine] = engines;
  if (engine === 'slurm') return slurmShard(env, user);
  if (engine === 'kubernetes') {
    const index = integer(env.JOB_COMPLETION_INDEX!, 'JOB_COMPLETION_INDEX');
    const { count, from } = engineCount(null, user, engine, `JOB_COMPLETION_INDEX=${index}`);
    return checked(index, count, engine, `Kubernetes: JOB_COMPLETION_INDEX=${index}, ${from}`);
  }
  if (engine === 'aws-batch') {
    const index = integer(env.AWS_BATCH_JOB_ARRAY_INDEX!, 'AWS_BATCH_JOB_ARRAY_INDEX');
    const size = env.AWS_BATCH_JOB_ARRAY_SIZE ? { count: integer(env.AWS_BATCH_JOB_ARRAY_SIZE, 'AWS_BATCH_JOB_ARRAY_SIZE'), from: `AWS_BATCH_JOB_ARRAY_SIZE=${env.AWS_BATCH_JOB_ARRAY_SIZE}` } : null;
    const { count, from } = engineCount(size, user, engine, `AWS_BATCH_JOB_ARRAY_INDEX=${index}`);
    return checked(index, count, engine, `AWS Batch: AWS_BATCH_JOB_ARRAY_INDEX=${index}, ${from}`);
  }
  if (user) throw invalid(`${user.from} gives the number of shards but nothing says which one this is: pass --shard K/${user.count}, or run it as an array task.`);
  return WHOLE_LIBRARY;
}
