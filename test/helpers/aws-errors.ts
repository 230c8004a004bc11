/** Assertions on the errors AWS clients throw. */
import assert from 'node:assert/strict';

/**
 * The call fails with an error of this name (the AWS error code); its message equals `message` (a string) or
 * matches it (a RegExp); its HTTP status is `status` when given.
 */
export async function rejectsNamed(p: Promise<unknown>, name: string, message?: string | RegExp, status?: number): Promise<void> {
  await assert.rejects(p, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    if (status !== undefined) assert.equal(err.$metadata?.httpStatusCode, status);
    return true;
  });
}

/** The call fails with an instance of the SDK's exception class `type`, with this message (equal, or matching a RegExp). */
export async function rejectsAs(p: Promise<unknown>, type: new (...args: any[]) => Error, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${err.name}: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}
