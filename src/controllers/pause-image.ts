/**
 * The image of awsvpc's pause container (ECS uses amazon/amazon-ecs-pause).
 * Berth builds its own, offline, from busybox-static's /bin/busybox: an empty
 * image with one static binary that sleeps forever.
 */
import { readFileSync } from 'node:fs';
import { ENGINE_LABEL, type RuntimeDriver } from '../runtime/driver.js';
import { tar } from '../shared/tar.js';

export const PAUSE_IMAGE = 'berth/pause:1';
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

/** One build at a time per engine (the labels say which engine: ENGINE_LABEL, absent for the local one). */
const inFlight = new Map<string, Promise<string>>();

export function ensurePauseImage(driver: RuntimeDriver, labels?: Record<string, string>): Promise<string> {
  const key = labels?.[ENGINE_LABEL] ?? '';
  const existing = inFlight.get(key);
  if (existing) return existing;
  const ensured = (async () => {
    if (await driver.hasImage(PAUSE_IMAGE, labels)) return PAUSE_IMAGE;
    const busybox = BUSYBOX_CANDIDATES.map((p) => { try { return readFileSync(p); } catch { return undefined; } }).find(Boolean);
    if (!busybox) throw new Error('awsvpc tasks need busybox-static (/bin/busybox) to build the pause image: apt-get install busybox-static');
    const dockerfile = 'FROM scratch\nCOPY busybox /bin/sleep\nENTRYPOINT ["/bin/sleep"]\n';
    await driver.buildImage(PAUSE_IMAGE, tar([
      { name: 'Dockerfile', data: Buffer.from(dockerfile) },
      { name: 'busybox', data: busybox, mode: 0o755 },
    ]), labels);
    return PAUSE_IMAGE;
  })().finally(() => inFlight.delete(key));
  inFlight.set(key, ensured);
  return ensured;
}
