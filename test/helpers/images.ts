/** Offline test images, built once per machine from busybox-static. */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './berth.js';

/** Bump the tag when the image's content changes, so machines rebuild it. */
export const BUSYBOX_IMAGE = 'berth-test/busybox:2';

let built = false;

export function ensureBusyboxImage(): string {
  if (built) return BUSYBOX_IMAGE;
  try {
    execFileSync('docker', ['image', 'inspect', BUSYBOX_IMAGE], { stdio: 'ignore' });
  } catch {
    execFileSync(`${REPO_ROOT}/fixtures/images/build-busybox.sh`, [BUSYBOX_IMAGE], { stdio: 'inherit' });
  }
  built = true;
  return BUSYBOX_IMAGE;
}

/**
 * A busybox container command that serves `/var/www` on port 8080 (httpd, in the background) and burns one CPU
 * between two epoch seconds — a load step that starts and stops by itself, whenever the container was started, so
 * a test that dies leaves nothing burning past `untilS` — then idles. The CPU a task may use is its hard limit
 * (Fargate task `cpu`): a 256-unit task burns a quarter of a core.
 */
export function cpuBurnCommand(fromS: number, untilS: number): string[] {
  return ['sh', '-c', [
    'httpd -p 8080 -h /var/www',
    `while [ "$(date +%s)" -lt ${fromS} ]; do sleep 0.2; done`,
    `while [ "$(date +%s)" -lt ${untilS} ]; do i=0; while [ $i -lt 5000 ]; do i=$((i+1)); done; done`,
    'exec sleep 3600',
  ].join('; ')];
}
