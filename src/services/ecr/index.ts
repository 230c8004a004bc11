/**
 * ECR's front door for everything outside services/ecr besides its state (store/index.ts, the door for its tables
 * and queries): the image scanner the ecr-image-scan controller runs, and the upstream credentials of a
 * pull-through cache rule the registry asks for at pull time.
 */
import type { ScanInput, ScanOutcome } from './scanner/index.js';

export type { ScanInput, ScanOutcome } from './scanner/index.js';
export { pullThroughCredentials } from './pull-through-cache.js';

/**
 * Scans an image (scanner/index.ts). The scanner (layer reading, OSV matching, version ordering) is loaded on the
 * first scan: app.ts imports this door for the registry before Berth is ready, and most runs never scan.
 */
export async function scanImage(input: ScanInput): Promise<ScanOutcome> {
  return (await import('./scanner/index.js')).scanImage(input);
}
