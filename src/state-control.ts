/**
 * Reset and snapshots, wired to the running parts of one Berth: what each
 * service must clean up beyond its rows (containers, blobs, listeners,
 * volumes), and how a snapshot's blobs enter the registry.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Controllers } from './controllers/index.js';
import { LABELS } from './controllers/container-spec.js';
import type { StateOps } from './gateway/state-routes.js';
import type { Registry } from './registry/index.js';
import { collectGarbage } from './registry/gc.js';
import type { RuntimeDriver } from './runtime/driver.js';
import { releaseEni } from './services/ec2/index.js';
import { forgetPublishedPorts } from './services/ecs/index.js';
import { S3_OBJECTS_DIR } from './services/s3/index.js';
import type { Logger } from './shared/logger.js';
import type { Db, Statements } from './state/db.js';
import { reset, serialize, type ResetParticipant } from './state/reset.js';
import { loadSnapshot, saveSnapshot, type SnapshotFiles } from './state/snapshot.js';

export interface StateControlDeps {
  db: Db;
  sql: Statements;
  dataDir: string;
  version: string;
  log: Logger;
  driver: RuntimeDriver;
  instanceId: string;
  controllers: Controllers;
  registry: Registry;
  /** Makes the load balancers rebind from state. */
  reloadLoadBalancers: () => void;
}

export function stateControl(d: StateControlDeps): StateOps {
  const removeContainers = async () => {
    const mine = await d.driver.listContainers({ [LABELS.instance]: d.instanceId }).catch(() => []);
    await Promise.all(mine.map((c) => d.driver.removeContainer(c.id)));
  };
  const participants = new Map<string, ResetParticipant>([
    ['ecs', {
      // Task ENIs live in EC2's tables: a reset of ECS alone must not leave them in use.
      before: async () => {
        const enis = d.sql.get(`SELECT t.account, t.region, json_extract(j.value, '$.value') AS id
                                FROM ecs_tasks t, json_each(t.doc, '$.attachments[0].details') j
                                WHERE json_extract(j.value, '$.name') = 'networkInterfaceId' AND t.last_status != 'STOPPED'`)
          .all() as { account: string; region: string; id: string }[];
        for (const e of enis) releaseEni(d.sql, { account: e.account, region: e.region, networkInterfaceId: e.id });
      },
      after: async () => {
        await removeContainers();
        await d.controllers.idle();
        await removeContainers();
      },
    }],
    ['ecr', { after: async () => void (await collectGarbage(d.registry)) }],
    ['elastic-load-balancing-v2', { after: async () => d.reloadLoadBalancers() }],
    ['efs', {
      // Mount targets' ENIs live in EC2's tables.
      before: async () => {
        const enis = d.sql.get("SELECT account, region, json_extract(doc, '$.NetworkInterfaceId') AS id FROM efs_mount_targets").all() as { account: string; region: string; id: string | null }[];
        for (const e of enis) if (e.id) releaseEni(d.sql, { account: e.account, region: e.region, networkInterfaceId: e.id });
      },
      after: async () => rm(join(d.dataDir, 'volumes', 'efs'), { recursive: true, force: true }),
    }],
    // Object bodies: files no row names any more.
    ['s3', { after: async () => rm(join(d.dataDir, S3_OBJECTS_DIR), { recursive: true, force: true }) }],
  ]);

  const files: SnapshotFiles = {
    db: d.db,
    dataDir: d.dataDir,
    version: d.version,
    blobs: {
      read: (digest: string) => d.registry.blobs.read(digest),
      async import(digest: string, file: string) {
        const driver = d.registry.blobs.driver;
        if ((await driver.stat(digest)) !== undefined) return;
        const id = `snapshot-${digest.slice(7, 23)}-${Date.now()}`;
        await driver.createUpload(id);
        await pipeline(createReadStream(file), driver.uploadWriter(id, 0));
        await driver.commitUpload(id, digest);
      },
    },
  };

  /**
   * A load replaces the state under the controllers, so none may start a pass from removing the current
   * containers until the loaded state is in place: a pass started by a container the load kills would act on
   * the loaded rows halfway (make containers the load then removes, or fail a loaded task's start on a name the
   * removal still holds), leaving a loaded task replaced, or running with its target at a port nothing serves.
   * Released whatever happens; the resync then runs every loaded task against a clean engine.
   */
  const load = async (input: Readable) => {
    let release: (() => void) | undefined;
    try {
      await loadSnapshot({
        ...files,
        beforeReplace: async () => {
          release = await d.controllers.hold();
          await removeContainers();
        },
        afterReplace: async () => {
          // The loaded tasks' containers are gone: the ports the snapshot recorded for them are no target's address.
          d.db.transaction(() => forgetPublishedPorts(d.sql))();
          d.reloadLoadBalancers();
          // Containers a pass still running when the hold began made meanwhile.
          await removeContainers();
          release?.();
          d.controllers.resync();
        },
      }, input);
    } finally {
      release?.();
    }
  };

  return {
    reset: (services) => reset({ db: d.db, participants }, services),
    save: (out) => saveSnapshot(files, out),
    load: (input) => serialize(d.db, () => load(input)),
  };
}
