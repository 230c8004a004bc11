/**
 * Health checks on a Podman engine. Docker runs a container's HEALTHCHECK
 * itself; Podman schedules it with a systemd timer, so where the engine has
 * no systemd (CI, containers, WSL) checks never run and the container stays
 * "starting" forever (the service logs "unable to get systemd connection to
 * add healthchecks"). The driver then runs each due check through libpod's
 * `GET /libpod/containers/{id}/healthcheck`, which runs it once and records
 * the result (status, failing streak, health_status event) as the timer would.
 *
 * A check the engine ran on its own during the first interval means its timers
 * work: the driver then leaves that engine's checks alone.
 */
import type { EngineClient } from './engine-client.js';

/** Extra wait before the first look, so an engine's own timer gets to run first. */
const GRACE_MS = 2_000;

interface Watch {
  timer: NodeJS.Timeout;
  /** End time of the newest check result when watching began (or after our last run). */
  lastEnd?: string;
  ranOnce: boolean;
}

export class PodmanHealthChecks {
  private watches = new Map<string, Watch>();
  /** The engine runs checks itself (its systemd timers work). */
  private engineRunsChecks = false;

  constructor(private readonly client: EngineClient) {}

  /**
   * Runs the container's checks every `intervalMs` until it stops running.
   * Idempotent: called on start and whenever a running container is
   * inspected (which adopts containers after a restart of Berth).
   */
  watch(id: string, intervalMs: number, lastEnd: string | undefined) {
    if (this.engineRunsChecks || this.watches.has(id)) return;
    const w: Watch = { lastEnd, ranOnce: false, timer: setTimeout(() => void this.tick(id, intervalMs), intervalMs + GRACE_MS) };
    w.timer.unref();
    this.watches.set(id, w);
  }

  private async tick(id: string, intervalMs: number) {
    const w = this.watches.get(id);
    if (!w) return;
    let again = false;
    try {
      const res = await this.client.request('GET', `/containers/${id}/json`);
      const j = res.status === 200 ? JSON.parse(res.body.toString('utf8')) : undefined;
      if (j?.State?.Running) {
        const end: string | undefined = j.State.Health?.Log?.at(-1)?.End;
        if (!w.ranOnce && end !== w.lastEnd) {
          // Someone else ran a check in the first interval: the engine's timers.
          this.engineRunsChecks = true;
          this.close();
          return;
        }
        const ran = await this.client.request('GET', `/libpod/containers/${id}/healthcheck`);
        // 404: gone; 409: stopped meanwhile, or it has no health check.
        again = ran.status !== 404 && ran.status !== 409;
        w.ranOnce = true;
      }
    } catch {
      again = true; // the engine is unreachable for now: try again next interval
    }
    if (!again || this.watches.get(id) !== w) {
      this.watches.delete(id);
      return;
    }
    w.timer = setTimeout(() => void this.tick(id, intervalMs), intervalMs);
    w.timer.unref();
  }

  forget(id: string) {
    const w = this.watches.get(id);
    if (w) clearTimeout(w.timer);
    this.watches.delete(id);
  }

  close() {
    for (const w of this.watches.values()) clearTimeout(w.timer);
    this.watches.clear();
  }
}
