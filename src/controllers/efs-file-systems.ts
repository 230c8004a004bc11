/**
 * efs-file-systems: converges one EFS resource (key = account/region/id)
 * with what exists. A file system "creating" gets its directory and becomes
 * "available"; "updating" settles to "available"; "deleting" loses its
 * directory, its access points and its row; an available one has its size
 * metered now and then (EFS meters asynchronously too). Access points and
 * mount targets go creating → available and deleting → gone (a mount
 * target's network interface is released then).
 *
 * Level-triggered: a key whose row is gone still gets its directory removed.
 */
import { mkdir, chmod, readdir, lstat, rm } from 'node:fs/promises';
import type { FileSystemDescription } from '@aws-sdk/client-efs';
import { releaseEni } from '../services/ec2/index.js';
import { fileSystemDir } from '../services/efs/index.js';
import {
  accessPointsOf, allFileSystemKeys, loadAccessPoint, loadFileSystem, loadMountTarget, parse, parseEfsKey, saveAccessPoint, saveFileSystem, saveMountTarget,
  type Scope, unsettledKeys,
} from '../services/efs/store.js';
import { dropAllTags } from '../state/tags.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EfsControllerDeps extends StateDeps {
  dataDir: string;
}

/** How often an available file system's size is metered. */
const METER_MS = 60_000;
/** Metering stops counting past this many entries (a size is an estimate on EFS too). */
const METER_MAX_ENTRIES = 200_000;
const EMPTY_SIZE = 6144;

/** Resources not yet settled (creating, deleting) are looked for this often. */
const RESYNC_MS = 30_000;

export class EfsFileSystems implements Controller {
  readonly name = 'efs-file-systems';
  readonly concurrency = 4;

  readonly watches: Watches = {
    changes: [{ kind: 'efs' }],
    // At start every file system, each then requeuing itself to meter its size; later only what is unsettled.
    resync: [{ periodMs: RESYNC_MS, keys: () => unsettledKeys(this.d.sql), startKeys: () => allFileSystemKeys(this.d.sql) }],
  };

  constructor(private readonly d: EfsControllerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseEfsKey(key);
    if (!k) return;
    const s: Scope = { sql: this.d.sql, account: k.account, region: k.region };
    if (k.id.startsWith('fsmt-')) return this.mountTarget(s, k.id);
    if (k.id.startsWith('fsap-')) return this.accessPoint(s, k.id);
    if (k.id.startsWith('fs-')) return this.fileSystem(s, k.id);
  }

  private async fileSystem(s: Scope, id: string): Promise<ReconcileResult | void> {
    const dir = fileSystemDir(this.d.dataDir, s.account, s.region, id);
    const row = loadFileSystem(s, id);
    if (!row || row.state === 'deleting') {
      await rm(dir, { recursive: true, force: true });
      if (row) this.forgetFileSystem(s, id);
      return;
    }
    // A new EFS root directory is owned by root with mode 0755.
    await mkdir(dir, { recursive: true, mode: 0o755 });
    if (row.state === 'creating') await chmod(dir, 0o755);
    const size = row.state === 'available' ? await meter(dir) : undefined;
    this.d.db.transaction(() => {
      const fresh = loadFileSystem(s, id);
      if (!fresh || fresh.state === 'deleting') return;
      const fs = parse<FileSystemDescription>(fresh);
      const settled = fs.LifeCycleState === 'creating' || fs.LifeCycleState === 'updating';
      if (settled) fs.LifeCycleState = 'available';
      // A size that has not changed since it was last metered is not written again: a quiet file system costs no write.
      const resized = size !== undefined && fs.SizeInBytes?.Value !== size;
      if (resized) {
        fs.SizeInBytes = { Value: size, Timestamp: (this.d.clock.now() / 1000) as unknown as Date, ValueInIA: 0, ValueInStandard: size, ValueInArchive: 0 };
      }
      if (settled || resized) saveFileSystem(s, fs);
    })();
    return { requeueAfterMs: METER_MS };
  }

  private forgetFileSystem(s: Scope, id: string) {
    this.d.db.transaction(() => {
      for (const ap of accessPointsOf(s, id)) {
        dropAllTags(s, parse<{ AccessPointArn: string }>(ap).AccessPointArn);
        s.sql.get('DELETE FROM efs_access_points WHERE account = ? AND region = ? AND id = ?').run(s.account, s.region, ap.id);
      }
      const row = loadFileSystem(s, id);
      if (row) dropAllTags(s, parse<FileSystemDescription>(row).FileSystemArn!);
      s.sql.get("DELETE FROM efs_file_systems WHERE account = ? AND region = ? AND id = ? AND state = 'deleting'").run(s.account, s.region, id);
    })();
    this.d.log.debug('efs file system deleted', { fileSystemId: id });
  }

  private async accessPoint(s: Scope, id: string) {
    this.d.db.transaction(() => {
      const row = loadAccessPoint(s, id);
      if (!row) return;
      if (row.state === 'deleting') {
        s.sql.get('DELETE FROM efs_access_points WHERE account = ? AND region = ? AND id = ?').run(s.account, s.region, id);
        return;
      }
      if (row.state === 'creating') saveAccessPoint(s, { ...parse(row), LifeCycleState: 'available' });
    })();
  }

  private async mountTarget(s: Scope, id: string) {
    this.d.db.transaction(() => {
      const row = loadMountTarget(s, id);
      if (!row) return;
      const mt = parse<{ NetworkInterfaceId?: string; LifeCycleState?: string }>(row);
      if (row.state === 'deleting') {
        if (mt.NetworkInterfaceId) releaseEni(s.sql, { account: s.account, region: s.region, networkInterfaceId: mt.NetworkInterfaceId });
        s.sql.get('DELETE FROM efs_mount_targets WHERE account = ? AND region = ? AND id = ?').run(s.account, s.region, id);
        return;
      }
      if (row.state === 'creating') saveMountTarget(s, { ...parse(row), LifeCycleState: 'available' });
    })();
  }
}

/** The bytes a file system holds (files' sizes plus each directory's metadata), as EFS meters them, roughly. */
async function meter(root: string): Promise<number> {
  let total = EMPTY_SIZE;
  let entries = 0;
  const stack = [root];
  while (stack.length && entries < METER_MAX_ENTRIES) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (++entries > METER_MAX_ENTRIES) break;
      const path = `${dir}/${name}`;
      try {
        const st = await lstat(path);
        if (st.isDirectory()) {
          total += EMPTY_SIZE;
          stack.push(path);
        } else total += st.size;
      } catch { /* removed while we counted */ }
    }
  }
  return total;
}
