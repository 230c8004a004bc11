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
