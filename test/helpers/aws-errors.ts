/** Assertions on the errors AWS clients throw. */
import assert from 'node:assert/strict';

/** The call fails with an error of this name (the AWS error code), its message matching `message` if given. */
export async function rejectsNamed(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}
