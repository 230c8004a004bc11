/**
 * boto3 as a test client for services whose `@aws-sdk/client-*` package Berth does not depend on (EventBridge,
 * EventBridge Scheduler): one long-lived Python process per fixture (`boto3-server.py`) that calls operations by
 * their AWS names, so a test pays Python's start-up once, not per call as the AWS CLI does.
 *
 *   const b = boto3(berth.endpoint);
 *   await b.call('events', 'PutRule', { Name: 'r', EventPattern: '{"source":["x"]}' });
 *   await b.fails('events', 'DescribeRule', { Name: 'nope' }, 'ResourceNotFoundException');
 *   b.close();
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./boto3-server.py', import.meta.url));

export interface Boto3 {
  /** The operation's result (without ResponseMetadata); throws an Error named after the AWS error code. */
  call(service: string, operation: string, params?: object): Promise<any>;
  /** Asserts the operation fails with `code` (and a message matching `message`). */
  fails(service: string, operation: string, params: object, code: string, message?: RegExp): Promise<void>;
  /**
   * An AWS CLI command line as the same call through boto3 (`['put-rule', '--name', 'r']` → PutRule {Name: 'r'}), for
   * tests written against the CLI's arguments: the members named in `json` are parsed, the others passed as text.
   */
  cli(service: string, args: string[], json?: readonly string[]): Promise<any>;
  /** `fails` with the CLI's arguments. */
  cliFails(service: string, args: string[], code: string, message?: RegExp): Promise<void>;
  close(): void;
}

function fromCli(args: string[], json: readonly string[]): [string, Record<string, unknown>] {
  const [command, ...rest] = args;
  const params: Record<string, unknown> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const member = pascal(rest[i].replace(/^--/, ''));
    params[member] = json.includes(member) ? JSON.parse(rest[i + 1]) : rest[i + 1];
  }
  return [pascal(command), params];
}

const pascal = (kebab: string) => kebab.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

/** The CLI's list-, structure- and number-valued options that tests pass as JSON. */
const JSON_MEMBERS = ['Targets', 'Entries', 'Target', 'FlexibleTimeWindow', 'Tags', 'Ids', 'Limit', 'MaxResults'];

export function boto3(endpoint: string): Boto3 {
  const child = spawn('python3', [SCRIPT, endpoint], { stdio: ['pipe', 'pipe', 'inherit'] });
  type Reply = { id: number; result?: any; error?: { code: string; message: string } };
  const waiting = new Map<number, (r: Reply) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const r = JSON.parse(line) as Reply;
    waiting.get(r.id)?.(r);
    waiting.delete(r.id);
  });
  let next = 0;
  const raw = (service: string, operation: string, params: object = {}) => new Promise<Reply>((resolve) => {
    const id = next++;
    waiting.set(id, resolve);
    child.stdin!.write(`${JSON.stringify({ id, service, operation, params })}\n`);
  });
  return {
    async call(service, operation, params) {
      const r = await raw(service, operation, params);
      if (r.error) throw Object.assign(new Error(`${service} ${operation}: ${r.error.code}: ${r.error.message}`), { name: r.error.code });
      return r.result;
    },
    async fails(service, operation, params, code, message) {
      const r = await raw(service, operation, params);
      assert.ok(r.error, `${service} ${operation} should fail with ${code}`);
      assert.equal(r.error.code, code, r.error.message);
      if (message) assert.match(r.error.message, message);
    },
    cli(service, args, json = JSON_MEMBERS) {
      const [operation, params] = fromCli(args, json);
      return this.call(service, operation, params);
    },
    cliFails(service, args, code, message) {
      const [operation, params] = fromCli(args, JSON_MEMBERS);
      return this.fails(service, operation, params, code, message);
    },
    close() {
      child.stdin!.end();
      child.kill();
    },
  };
}
