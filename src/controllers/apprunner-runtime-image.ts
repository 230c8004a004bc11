/**
 * App Runner's Node.js base image, made offline: App Runner builds on its managed runtime images (pulled from
 * AWS), which Berth cannot fetch. Instead the host's own `node` binary and the shared libraries it links go on
 * busybox-static (a shell and the usual commands for build steps), as the tests' SDK image does. So a NODEJS_*
 * service runs the host's Node.js version, whichever major the runtime names (README.md says so); npm is not in
 * it (builds are offline: there is no registry to install from). Other runtimes need an image named in
 * `BERTH_APPRUNNER_RUNTIME_IMAGES`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { RuntimeDriver } from '../runtime/driver.js';
import { tar, type TarEntry } from '../shared/tar.js';

const run = promisify(execFile);
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

/** The image's tag: one per host Node.js version (bump the suffix when its content changes). */
export const NODE_RUNTIME_IMAGE = `berth/apprunner-nodejs:${process.version.slice(1)}-1`;

let inFlight: Promise<string> | undefined;

export function ensureNodeRuntimeImage(driver: RuntimeDriver): Promise<string> {
  inFlight ??= (async () => {
    if (await driver.hasImage(NODE_RUNTIME_IMAGE)) return NODE_RUNTIME_IMAGE;
    const busybox = BUSYBOX_CANDIDATES.map((p) => { try { return readFileSync(p); } catch { return undefined; } }).find(Boolean);
    if (!busybox) throw new Error('The Node.js runtime image needs busybox-static (/bin/busybox) on the host: apt-get install busybox-static');
    const node = process.execPath;
    // A dynamically linked node needs its libraries at the same paths inside (a static one lists none).
    const libs = await run('ldd', [node]).then((r) => r.stdout.match(/\/[^\s]*lib[^\s]*/g) ?? [], () => [] as string[]);
    const entries: TarEntry[] = [
      { name: 'busybox', data: busybox, mode: 0o755 },
      { name: 'node', data: readFileSync(node), mode: 0o755 },
      ...libs.map((lib) => ({ name: `rootfs${lib}`, data: readFileSync(lib), mode: 0o755 })),
    ];
    const dockerfile = [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
      'RUN mkdir -p /tmp /etc /root /usr/local/bin && chmod 1777 /tmp && echo "root:x:0:0:root:/root:/bin/sh" > /etc/passwd && echo "root:x:0:" > /etc/group',
      ...(libs.length ? ['COPY rootfs/ /'] : []),
      'COPY node /usr/local/bin/node',
      'ENV PATH=/usr/local/bin:/bin',
      '',
    ].join('\n');
    await driver.buildImage(NODE_RUNTIME_IMAGE, tar([{ name: 'Dockerfile', data: Buffer.from(dockerfile) }, ...entries]));
    return NODE_RUNTIME_IMAGE;
  })().finally(() => { inFlight = undefined; });
  return inFlight;
}
