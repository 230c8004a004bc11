/**
 * ECR's front door for everything outside services/ecr besides its state (store/index.ts, the door for its tables
 * and queries): the image scanner the ecr-image-scan controller runs, and the upstream credentials of a
 * pull-through cache rule the registry asks for at pull time.
 */
export { scanImage } from './scanner/index.js';
export { pullThroughCredentials } from './pull-through-cache.js';
