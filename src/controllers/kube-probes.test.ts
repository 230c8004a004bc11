/** The kubelet's probe state machine (kube-probes.ts' Prober) on a fake clock and scripted probe results. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prober, type ProbeRun } from './kube-probes.js';

/** A probe runner that answers from a script per probe kind and counts the runs. */
function scripted(results: Record<string, boolean[]>) {
  const runs: string[] = [];
  const run = async (probe: any): Promise<ProbeRun> => {
    const kind = probe.kind as string;
    runs.push(kind);
    const ok = results[kind].shift() ?? true;
    return { ok, message: ok ? '' : 'HTTP probe failed with statuscode: 500' };
  };
  return { run, runs };
}

const S = 1000;

describe('kube probes: the kubelet state machine', () => {
  it('liveness waits initialDelaySeconds, probes every periodSeconds and kills after failureThreshold failures in a row', async () => {
    const prober = new Prober();
    const spec = { livenessProbe: { kind: 'liveness', initialDelaySeconds: 5, periodSeconds: 10 } };
    const { run, runs } = scripted({ liveness: [false, true, false, false, false] });
    let out = await prober.check('p/c', 'a', 0, spec, 4 * S, run);
    assert.deepEqual(runs, []);
    assert.equal(out.ready, true, 'liveness starts passed; no readiness probe means ready');
    assert.equal(out.againMs, 1 * S);
    out = await prober.check('p/c', 'a', 0, spec, 5 * S, run);
    assert.deepEqual(out.unhealthy, ['Liveness probe failed: HTTP probe failed with statuscode: 500']);
    assert.equal(out.kill, undefined);
    // Not due yet: no run.
    out = await prober.check('p/c', 'a', 0, spec, 9 * S, run);
    assert.equal(runs.length, 1);
    await prober.check('p/c', 'a', 0, spec, 15 * S, run); // success: the count starts again
    await prober.check('p/c', 'a', 0, spec, 25 * S, run);
    out = await prober.check('p/c', 'a', 0, spec, 35 * S, run);
    assert.equal(out.kill, undefined, 'two failures in a row are not three');
    out = await prober.check('p/c', 'a', 0, spec, 45 * S, run);
    assert.deepEqual(out.kill, { kind: 'liveness', message: 'HTTP probe failed with statuscode: 500' });
    assert.equal(runs.length, 5);
  });

  it('a restarted container (a new instance) starts its probes afresh', async () => {
    const prober = new Prober();
    const spec = { livenessProbe: { kind: 'liveness', periodSeconds: 1, failureThreshold: 2 } };
    const { run } = scripted({ liveness: [false, false, false] });
    await prober.check('p/c', 'a', 0, spec, 0, run);
    const again = await prober.check('p/c', 'b', 1 * S, spec, 1 * S, run);
    assert.equal(again.kill, undefined, 'the failure of the previous instance does not count');
    assert.ok((await prober.check('p/c', 'b', 1 * S, spec, 2 * S, run)).kill);
  });

  it('the startup probe gates liveness and readiness until it succeeds, then stops', async () => {
    const prober = new Prober();
    const spec = {
      startupProbe: { kind: 'startup', periodSeconds: 1, failureThreshold: 5 },
      livenessProbe: { kind: 'liveness', periodSeconds: 1 },
      readinessProbe: { kind: 'readiness', periodSeconds: 1 },
    };
    const { run, runs } = scripted({ startup: [false, false, true], liveness: [], readiness: [] });
    let out = await prober.check('p/c', 'a', 0, spec, 0, run);
    assert.deepEqual([out.started, out.ready], [false, false]);
    assert.deepEqual(out.unhealthy, ['Startup probe failed: HTTP probe failed with statuscode: 500']);
    await prober.check('p/c', 'a', 0, spec, 1 * S, run);
    assert.deepEqual(runs, ['startup', 'startup'], 'no liveness or readiness before the container has started');
    out = await prober.check('p/c', 'a', 0, spec, 2 * S, run);
    assert.equal(out.started, true);
    assert.equal(out.ready, true);
    assert.deepEqual(runs, ['startup', 'startup', 'startup', 'liveness', 'readiness']);
    await prober.check('p/c', 'a', 0, spec, 3 * S, run);
    assert.deepEqual(runs.slice(5), ['liveness', 'readiness'], 'the startup probe is not run again');
  });

  it('a startup probe that fails failureThreshold times kills the container', async () => {
    const prober = new Prober();
    const spec = { startupProbe: { kind: 'startup', periodSeconds: 2, failureThreshold: 2 }, livenessProbe: { kind: 'liveness' } };
    const { run } = scripted({ startup: [false, false], liveness: [] });
    assert.equal((await prober.check('p/c', 'a', 0, spec, 0, run)).kill, undefined);
    const out = await prober.check('p/c', 'a', 0, spec, 2 * S, run);
    assert.equal(out.kill?.kind, 'startup');
    assert.equal(out.started, false);
  });

  it('readiness counts successThreshold and failureThreshold, and never kills', async () => {
    const prober = new Prober();
    const spec = { readinessProbe: { kind: 'readiness', periodSeconds: 1, successThreshold: 2, failureThreshold: 2 } };
    const { run } = scripted({ readiness: [true, true, false, true, false, false] });
    const ready = async (t: number) => {
      const out = await prober.check('p/c', 'a', 0, spec, t * S, run);
      assert.equal(out.kill, undefined);
      return out.ready;
    };
    assert.equal(await ready(0), false, 'one success of two');
    assert.equal(await ready(1), true);
    assert.equal(await ready(2), true, 'one failure of two');
    assert.equal(await ready(3), true);
    assert.equal(await ready(4), true);
    assert.equal(await ready(5), false, 'two failures in a row');
  });
});
