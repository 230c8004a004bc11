/**
 * `npm run test:load`: the test suite with the CPU kept busy, as on a developer's machine that is doing other work
 * (timing assumptions show up here that an idle machine hides). Starts BERTH_LOAD_BURNERS (default 2: both cores
 * of the 2-core machines CI runs on) busy-loop node processes at normal priority beside `npm test`, passing its
 * arguments on (`npm run test:load -- test/e2e/berth-cli.test.ts`), and stops them when the tests end, fail or are
 * interrupted. Each burner also exits by itself as soon as this runner is gone (a runner killed with SIGKILL leaves
 * none spinning) and after BERTH_LOAD_MAX_SECONDS (default 3600) in any case. Exits with npm
 * test's status.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const burners = Math.max(0, Math.min(Number(process.env.BERTH_LOAD_BURNERS ?? 2) || 0, 16));
const maxMs = Math.max(1, Number(process.env.BERTH_LOAD_MAX_SECONDS ?? 3600) || 3600) * 1000;

// The loop never yields, so it cannot hear its parent go: it asks the kernel whether the parent is still there
// (signal 0; process.ppid is read once at start-up).
const BURN = `const end = Date.now() + ${maxMs}; const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  let x = 0; while (Date.now() < end && alive(${process.pid})) { for (let i = 0; i < 1e6; i++) x += i; }`;
const children = Array.from({ length: burners }, () => spawn(process.execPath, ['-e', BURN], { stdio: 'ignore' }));
console.error(`test:load: ${burners} CPU burners (pids ${children.map((c) => c.pid).join(', ')}) beside npm test`);

function stopBurners() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', stopBurners);

// In its own process group, so that an interruption stops npm, the build and the test runner with its files at once.
const tests = spawn('npm', ['test', '--', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit', detached: true });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopBurners();
    try {
      process.kill(-tests.pid, 'SIGTERM');
    } catch { /* already gone */ }
    process.exitCode = 130;
  });
}
tests.on('exit', (code, signal) => {
  stopBurners();
  process.exitCode ||= code ?? (signal ? 1 : 0);
});
