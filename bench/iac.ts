/**
 * Infrastructure-as-code benchmark (issue 22): wall time of the tools teams run, against Berth on real Docker and
 * against moto's server (the local peer), unmodified.
 *
 *   npx tsx bench/iac.ts [--no-terraform] [--no-cdk] [--no-moto]
 *
 * 1. Terraform: `terraform apply -auto-approve -parallelism=20` of the ECS-on-Fargate stack fixture
 *    (fixtures/terraform/ecs-fargate, 34 resources, an image pushed by the apply), then `terraform destroy`.
 *    Target: apply ≤ 30 s. `init` and the provider's start are not counted (the provider runs in its debug mode and
 *    each command reattaches to it, as test/helpers/terraform.ts does).
 * 2. CDK: the app fixtures/cdk/fargate (ecs_patterns.ApplicationLoadBalancedFargateService on a new VPC with a NAT
 *    gateway, an image asset built from a local Dockerfile, CPU and request-count scaling): `cdk bootstrap`, then
 *    `cdk deploy` of the synthesized app (asset build and push, change set, stack until the service is stable),
 *    `cdk destroy`. Target: deploy ≤ 60 s. The synth (loading aws-cdk-lib) is timed on its own: a user's
 *    `cdk deploy` runs it too, so both figures are printed.
 * Each tool runs against a fresh Berth (`berth up --ephemeral`, real Docker) and a fresh moto. Where a stack cannot
 * run on moto, moto's result is printed as what it is (the step it failed at and its error).
 * Traffic goes to 127.0.0.1 only; every command has a deadline; Berth's containers go with its stack's destroy.
 */
import { loadavg } from 'node:os';
import { freePort, startBerth, startMoto, type Target } from './peers.js';
import { cdk, cdkFargateApp, cdkSkipReason } from '../test/helpers/cdk.js';
import { ensureBusyboxImage } from '../test/helpers/images.js';
import { terraformSkipReason, terraformWorkspace } from '../test/helpers/terraform.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const args = new Set(process.argv.slice(2));

/** `berth up --ephemeral` on real Docker: the stacks must serve. */
const startDockerBerth = () => startBerth('docker');

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/** The first error a tool printed (Terraform's `Error:` block, the CDK's ❌ line), shortened to one line. */
function firstError(output: string): string {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => /^\s*(│\s*)?Error:|❌|failed:|Error \[|ValidationError|InternalFailure/.test(l));
  const picked = at < 0 ? lines.filter((l) => l.trim()).slice(-3) : lines.slice(at, at + 4);
  return picked.map((l) => l.replace(/^[\s│╷╵]+/, '').trim()).filter(Boolean).join(' ').slice(0, 400);
}

interface Outcome { ok: boolean; ms: number; note: string }

/** The slowest resources, as the provider reports them ("aws_lb.web: Creation complete after 12s [id=…]"). */
function slowest(output: string, verb: 'Creation' | 'Destruction'): string {
  return [...output.matchAll(new RegExp(`^(\\S+): ${verb} complete after (?:(\\d+)m)?(\\d+)s`, 'gm'))]
    .map((m) => ({ name: m[1], s: Number(m[2] ?? 0) * 60 + Number(m[3]) })).sort((a, b) => b.s - a.s).slice(0, 4)
    .map((r) => `${r.name} ${r.s} s`).join(', ');
}

async function terraformRun(target: Target): Promise<{ apply: Outcome; destroy?: Outcome }> {
  const tf = terraformWorkspace('fixtures/terraform/ecs-fargate');
  const dockerConfig = `${tf.dir}/.docker`;
  const vars = { endpoint: target.endpoint, listener_port: await freePort(), source_image: ensureBusyboxImage(), docker_config: dockerConfig };
  try {
    const init = await tf.run(['init'], { timeoutMs: 120_000 });
    if (init.code !== 0) return { apply: { ok: false, ms: 0, note: `init failed: ${firstError(init.stdout + init.stderr)}` } };
    const apply = await timed(() => tf.run(['apply', '-auto-approve', '-parallelism=20'], { vars, timeoutMs: 300_000 }));
    const out = apply.result.stdout + apply.result.stderr;
    const created = /Apply complete! Resources: (\d+) added/.exec(out)?.[1] ?? String((out.match(/Creation complete after/g) ?? []).length);
    const applyOutcome: Outcome = apply.result.code === 0
      ? { ok: true, ms: apply.ms, note: `${created} resources; slowest: ${slowest(out, 'Creation')}` }
      : { ok: false, ms: apply.ms, note: `failed after ${created} resources at: ${firstError(out)}` };
    const destroy = await timed(() => tf.run(['destroy', '-auto-approve', '-refresh=false', '-parallelism=20'], { vars, timeoutMs: 300_000 }));
    const dout = destroy.result.stdout + destroy.result.stderr;
    return {
      apply: applyOutcome,
      destroy: destroy.result.code === 0 ? { ok: true, ms: destroy.ms, note: `slowest: ${slowest(dout, 'Destruction')}` } : { ok: false, ms: destroy.ms, note: `failed at: ${firstError(dout)}` },
    };
  } finally {
    tf.remove();
  }
}

interface CdkOutcome { synth: Outcome; bootstrap: Outcome; deploy?: Outcome; destroy?: Outcome }

async function cdkRun(target: Target): Promise<CdkOutcome> {
  const app = cdkFargateApp({ listenerPort: await freePort() });
  try {
    const outcome = (r: { ms: number; result: { code: number; output: string } }): Outcome =>
      r.result.code === 0 ? { ok: true, ms: r.ms, note: '' } : { ok: false, ms: r.ms, note: `failed at: ${firstError(r.result.output)}` };
    const synth = outcome(await timed(() => cdk(target.endpoint, ['synth', '-q', '-o', app.out], { cwd: app.dir, env: app.env, timeoutMs: 300_000 })));
    const bootstrap = outcome(await timed(() => cdk(target.endpoint, ['bootstrap', 'aws://000000000000/us-east-1'], { env: app.env, timeoutMs: 300_000 })));
    if (!synth.ok || !bootstrap.ok) return { synth, bootstrap };
    const deploy = outcome(await timed(() => cdk(target.endpoint, ['deploy', '--app', app.out, '--require-approval', 'never'], { env: app.env, timeoutMs: 300_000 })));
    const destroy = outcome(await timed(() => cdk(target.endpoint, ['destroy', '--app', app.out, '--force'], { env: app.env, timeoutMs: 300_000 })));
    return { synth, bootstrap, deploy, destroy };
  } finally {
    app.remove();
  }
}

const cell = (o: Outcome | undefined) => (!o ? 'not run' : o.ok ? seconds(o.ms) : `FAILED (${seconds(o.ms)})`);
const ratio = (b: Outcome | undefined, p: Outcome | undefined) => (b?.ok && p?.ok ? `${(p.ms / b.ms).toFixed(2)}×` : '—');

async function withTarget<T>(start: () => Promise<Target | undefined>, work: (t: Target) => Promise<T>): Promise<T | undefined> {
  const t = await start();
  if (!t) return undefined;
  try {
    return await work(t);
  } finally {
    await t.stop();
  }
}

async function main() {
  console.log(`bench/iac: load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine (figures are wall time; a busy machine inflates them)`);
  const moto = !args.has('--no-moto');
  if (!args.has('--no-terraform')) {
    const skip = terraformSkipReason();
    if (skip) console.log(`terraform: skipped (${skip})`);
    else {
      const berth = await withTarget(startDockerBerth, terraformRun);
      const peer = moto ? await withTarget(startMoto, terraformRun) : undefined;
      console.log('\nterraform, ECS-on-Fargate stack (fixtures/terraform/ecs-fargate), target apply ≤ 30 s');
      console.log(`  apply    berth ${cell(berth?.apply)} (${berth?.apply.note})   moto ${cell(peer?.apply)}   moto/berth ${ratio(berth?.apply, peer?.apply)}`);
      console.log(`  destroy  berth ${cell(berth?.destroy)} (${berth?.destroy?.note ?? ''})   moto ${cell(peer?.destroy)}`);
      if (peer && !peer.apply.ok) console.log(`  moto: ${peer.apply.note}`);
      if (peer?.destroy && !peer.destroy.ok) console.log(`  moto destroy: ${peer.destroy.note}`);
    }
  }
  if (!args.has('--no-cdk')) {
    const skip = cdkSkipReason();
    if (skip) console.log(`cdk: skipped (${skip})`);
    else {
      const berth = await withTarget(startDockerBerth, cdkRun);
      const peer = moto ? await withTarget(startMoto, cdkRun) : undefined;
      console.log('\ncdk, ApplicationLoadBalancedFargateService app (fixtures/cdk/fargate), target deploy ≤ 60 s');
      console.log(`  synth     ${cell(berth?.synth)} (no AWS calls; part of a user's cdk deploy)`);
      console.log(`  bootstrap berth ${cell(berth?.bootstrap)}   moto ${cell(peer?.bootstrap)}   moto/berth ${ratio(berth?.bootstrap, peer?.bootstrap)}`);
      console.log(`  deploy    berth ${cell(berth?.deploy)} (synth + deploy ${berth?.deploy?.ok ? seconds(berth.synth.ms + berth.deploy.ms) : '—'})   moto ${cell(peer?.deploy)}   moto/berth ${ratio(berth?.deploy, peer?.deploy)}`);
      console.log(`  destroy   berth ${cell(berth?.destroy)}   moto ${cell(peer?.destroy)}`);
      for (const [name, o] of Object.entries(berth ?? {})) if (o && !o.ok) console.log(`  berth ${name}: ${o.note}`);
      for (const [name, o] of Object.entries(peer ?? {})) if (o && !o.ok) console.log(`  moto ${name}: ${o.note}`);
    }
  }
}

await main();
