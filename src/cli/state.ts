/**
 * `berth reset [--service a,b]`, `berth state save FILE`, `berth state load FILE`
 * against a running Berth, and the start-up helpers of `berth up --load/--init`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';

function request(endpoint: string, method: string, path: string, body?: NodeJS.ReadableStream) {
  return new Promise<http.IncomingMessage>((ok, fail) => {
    const req = http.request(`${endpoint}${path}`, { method, headers: body ? { 'content-type': 'application/gzip', 'transfer-encoding': 'chunked' } : {} }, ok);
    req.on('error', fail);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function text(res: http.IncomingMessage): Promise<string> {
  let out = '';
  for await (const c of res) out += c;
  return out;
}

function failure(res: http.IncomingMessage, body: string): Error {
  try {
    return new Error(JSON.parse(body).message ?? body);
  } catch {
    return new Error(`Berth answered ${res.statusCode}: ${body.slice(0, 200)}`);
  }
}

export async function resetCommand(endpoint: string, services: string | undefined) {
  const q = services ? `?service=${encodeURIComponent(services)}` : '';
  const res = await request(endpoint, 'POST', `/_berth/reset${q}`);
  const body = await text(res);
  if (res.statusCode !== 200) throw failure(res, body);
  const out = JSON.parse(body);
  console.log(`reset ${out.reset.join(', ')} in ${out.durationMs} ms`);
}

export async function saveCommand(endpoint: string, file: string) {
  const res = await request(endpoint, 'GET', '/_berth/state');
  if (res.statusCode !== 200) throw failure(res, await text(res));
  // Written aside and renamed, so a failed save never leaves a half archive under the name.
  const tmp = `${resolve(file)}.partial`;
  try {
    await pipeline(res, createWriteStream(tmp));
    await rename(tmp, resolve(file));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  console.log(`saved ${file} (${statSync(file).size} bytes)`);
}

export async function loadCommand(endpoint: string, file: string) {
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const res = await request(endpoint, 'POST', '/_berth/state', createReadStream(file));
  const body = await text(res);
  if (res.statusCode !== 200) throw failure(res, body);
  console.log(`loaded ${file} in ${JSON.parse(body).durationMs} ms`);
}

/**
 * Runs each `*.sh` in DIR (sorted) with the AWS CLI pointed at Berth; returns the names that failed.
 * Asynchronous: the scripts call this very process.
 */
export async function runInitScripts(dir: string, endpoint: string, region: string): Promise<string[]> {
  const scripts = readdirSync(dir).filter((f) => f.endsWith('.sh')).sort();
  const failed: string[] = [];
  for (const s of scripts) {
    process.stderr.write(`berth: init ${s}\n`);
    const child = spawn('bash', [join(dir, s)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env, AWS_ENDPOINT_URL: endpoint, BERTH_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test', AWS_DEFAULT_REGION: region, AWS_REGION: region, AWS_PAGER: '',
      },
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) failed.push(s);
  }
  return failed;
}
