/**
 * A node:test reporter that prints nothing and, when the run ends, appends one line per test file to the file
 * named by BERTH_TEST_DURATIONS: "<milliseconds> <path>", the file's top-level tests' durations summed (its test
 * time; start-up before the first test is not included). scripts/test.sh adds it; .ci/run reads the lines.
 *
 * It also appends each failed test to BERTH_TEST_FAILURES ("<path> :: <name> :: <first line of the error>"):
 * CI shows only the end of its output, so .ci/run prints these last, where a reader of the CI result sees them.
 */
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';

export default async function* durations(source) {
  const perFile = new Map();
  const failures = [];
  for await (const event of source) {
    // A TODO test that fails is reported as such, not counted as a failure.
    if (event.type === 'test:fail' && event.data.file && !event.data.todo) failures.push(failureLine(event.data));
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const file = relative(process.cwd(), event.data.file);
      perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const out = process.env.BERTH_TEST_DURATIONS;
  if (out && perFile.size) appendFileSync(out, [...perFile].map(([file, ms]) => `${Math.round(ms)} ${file}\n`).join(''));
  const failed = process.env.BERTH_TEST_FAILURES;
  if (failed && failures.length) appendFileSync(failed, failures.join(''));
  yield '';
}

/** A suite whose subtest failed fails too: its line says so, and the subtest's line names the cause. */
function failureLine(data) {
  const error = data.details?.error;
  const cause = error?.cause ?? error;
  const message = String(cause?.message ?? cause ?? 'failed').split('\n').find((line) => line.trim()) ?? 'failed';
  return `${relative(process.cwd(), data.file)} :: ${data.name} :: ${message.trim().slice(0, 300)}\n`;
}
