/** Waiting in tests for something another process does, polling, with a deadline that fails loudly. */

/** Resolves once `predicate` holds; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => ((await predicate()) ? true : undefined), timeoutMs);
}

/** Resolves with the first value `read` gives that is not undefined; rejects after `timeoutMs`. */
export async function waitFor<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`not seen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
