/**
 * An offline test image with Node.js and an unmodified AWS SDK (v3): the host's
 * own `node` binary and the shared libraries it links, on the busybox test
 * image, plus one bundle (esbuild, from this repository's node_modules) per
 * script in SCRIPTS under `/sdk/<name>.mjs`. Each uses the SDK's default
 * credential chain and endpoint settings (in a task: the task role from
 * 169.254.170.2 and the AWS_ENDPOINT_URL Berth injects). Built once per content
 * (the tag carries a hash of every bundle).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { REPO_ROOT } from './berth.js';
import { ensureBusyboxImage } from './images.js';

const SCRIPTS: Record<string, string> = {
  /** Prints GetCallerIdentity as JSON. */
  'caller-identity': `
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
const out = await new STSClient({}).send(new GetCallerIdentityCommand({}));
console.log(JSON.stringify({ UserId: out.UserId, Account: out.Account, Arn: out.Arn }));
`,
  /**
   * An SQS worker: receives one message at a time from the queue QUEUE_NAME
   * (long poll of WAIT_S seconds), "works" WORK_MS, reports the body and its
   * host name to the queue DONE_NAME when set, then deletes the message. Never
   * exits on its own. It asks for the queue URLs (GetQueueUrl) rather than
   * taking the test's: an SDK v3 whose endpoint comes from AWS_ENDPOINT_URL
   * sends to the host a queue URL names (useQueueUrlAsEndpoint), and Berth
   * answers URLs on the host the container reached it on.
   */
  'sqs-worker': `
import { hostname } from 'node:os';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
const url = async (name) => name && (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
const queue = await url(process.env.QUEUE_NAME);
const done = await url(process.env.DONE_NAME);
const work = Number(process.env.WORK_MS ?? 400);
const wait = Number(process.env.WAIT_S ?? 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (;;) {
  try {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 1, WaitTimeSeconds: wait }));
    for (const m of Messages) {
      await sleep(work);
      if (done) await sqs.send(new SendMessageCommand({ QueueUrl: done, MessageBody: JSON.stringify({ body: m.Body, worker: hostname() }) }));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: m.ReceiptHandle }));
    }
  } catch (e) {
    console.error(String(e));
    await sleep(500);
  }
}
`,
};

export function ensureAwsSdkImage(): string {
  const base = ensureBusyboxImage();
  const dir = mkdtempSync(join(tmpdir(), 'berth-sdk-image-'));
  try {
    const hash = createHash('sha256').update(process.version).update(base);
    for (const [name, script] of Object.entries(SCRIPTS)) {
      writeFileSync(join(dir, `${name}.entry.mjs`), script);
      buildSync({
        entryPoints: [join(dir, `${name}.entry.mjs`)], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'sdk', `${name}.mjs`),
        nodePaths: [join(REPO_ROOT, 'node_modules')], logLevel: 'error',
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      });
      hash.update(name).update(readFileSync(join(dir, 'sdk', `${name}.mjs`)));
    }
    const tag = `berth-test/aws-sdk-node:${hash.digest('hex').slice(0, 12)}`;
    try {
      execFileSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' });
      return tag;
    } catch { /* build it */ }
    const node = process.execPath;
    const libs = execFileSync('ldd', [node], { encoding: 'utf8' }).match(/\/lib[^\s]*/g) ?? [];
    for (const lib of libs) {
      mkdirSync(join(dir, 'rootfs', dirname(lib)), { recursive: true });
      copyFileSync(lib, join(dir, 'rootfs', lib));
    }
    copyFileSync(node, join(dir, 'node'));
    writeFileSync(join(dir, 'Dockerfile'), [`FROM ${base}`, 'COPY rootfs/ /', 'COPY node /bin/node', 'COPY sdk/ /sdk/', ''].join('\n'));
    execFileSync('docker', ['build', '-q', '-t', tag, dir], { stdio: 'ignore', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
