/** Polling with a deadline, for tests that wait on something asynchronous (an operation ending, a URL answering). */
import { setTimeout as sleep } from 'node:timers/promises';

/** Probes every `stepMs` until `ok` accepts the value; past `ms` fails naming `what` and the last value seen. */
export async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 90_000, stepMs = 250): Promise<T> {
  const end = Date.now() + ms;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await sleep(stepMs);
    last = await probe();
  }
  return last;
}
