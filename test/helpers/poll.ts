/**
 * `until(read, done, what)`: reads until `done` holds or the deadline passes (then throws naming `what` and the last
 * value read). Every wait in a test polls with a deadline.
 */
export async function until<T>(read: () => Promise<T>, done: (x: T) => boolean, what: string, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const x = await read();
    if (done(x)) return x;
    if (Date.now() > end) throw new Error(`timed out: ${what} (${JSON.stringify(x)?.slice(0, 1000)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
