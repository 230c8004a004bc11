/**
 * A node:test reporter that prints nothing and, when the run ends, appends one line per test file to the file
 * named by BERTH_TEST_DURATIONS: "<milliseconds> <path>", the file's top-level tests' durations summed (its test
 * time; start-up before the first test is not included). scripts/test.sh adds it; .ci/run reads the lines.
 */
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';

export default async function* durations(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const file = relative(process.cwd(), event.data.file);
      perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const out = process.env.BERTH_TEST_DURATIONS;
  if (out && perFile.size) appendFileSync(out, [...perFile].map(([file, ms]) => `${Math.round(ms)} ${file}\n`).join(''));
  yield '';
}
