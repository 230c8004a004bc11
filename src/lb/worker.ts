/**
 * A data plane worker process (started by workers.ts): serves the listener
 * connections Berth's main process hands it, from the snapshot the main
 * process sends, and sends back what it served once per metric minute. It
 * exits when its IPC channel closes, that is when Berth exits, whether it
 * stopped or was killed.
 */
import type net from 'node:net';
import type { Clock } from '../shared/clock.js';
import { createLogger, type Logger, type LogLevel } from '../shared/logger.js';
import { DataPlane } from './data-plane.js';
import { buildSnapshot } from './snapshot.js';
import { msToNextMinute } from './traffic-meter.js';
import type { FromWorker, ToWorker } from './workers.js';

function main(): void {
  const send = process.send?.bind(process);
  if (!send) {
    console.error('the load balancer worker runs only as a child of Berth');
    process.exit(2);
  }
  const index = Number(process.env.BERTH_LB_WORKER_INDEX ?? '0');
  const level = (process.env.BERTH_LB_WORKER_LOG_LEVEL ?? 'warn') as LogLevel;
  // Log events go to the main process, which writes them with its own logger.
  const levels = createLogger(level, () => undefined);
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (levels.enabled(lvl) && process.connected) send({ t: 'log', level: lvl, msg, fields } satisfies FromWorker);
  };
  const log: Logger = { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), enabled: levels.enabled };
  // Berth's clock may not be the system's (tests): the main process sends the difference.
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const plane = new DataPlane({ clock, log, rrOffset: index });
  // Counts go to the main process once per metric minute, in one message (none when there was nothing).
  const minuteMs = Number(process.env.BERTH_LB_WORKER_METRICS_PERIOD ?? '60') * 1000;
  const report = () => {
    const r = plane.meter.take(minuteMs);
    if (r && process.connected) send({ t: 'metrics', report: r } satisfies FromWorker);
    setTimeout(report, msToNextMinute(clock.now(), minuteMs)).unref();
  };
  setTimeout(report, msToNextMinute(clock.now(), minuteMs)).unref();

  process.on('message', (m: ToWorker, handle?: unknown) => {
    switch (m.t) {
      case 'snapshot':
        offset = m.clockOffset;
        plane.update(buildSnapshot(m.data));
        break;
      case 'ports':
        plane.setPorts(new Map(m.ports));
        break;
      case 'conn':
        if (handle) plane.connection(m.arn, handle as net.Socket);
        break;
    }
  });
  // Berth is gone (stopped, crashed or killed): so is its data plane.
  process.on('disconnect', () => {
    plane.close();
    process.exit(0);
  });
  // Ctrl-C in Berth's terminal reaches the whole process group; Berth decides when workers stop.
  process.on('SIGINT', () => undefined);
  send({ t: 'ready' } satisfies FromWorker);
}

main();
