/**
 * Watch: a chunked HTTP response of JSON lines (`{"type":"ADDED","object":{…}}`), one per change of the
 * resource in the namespace (or all) that the selectors match. From a resourceVersion it replays the
 * store's log after it (410 Expired past what the log keeps); without one (or "0") it starts with an
 * ADDED event per current object, as the API server does. The change feed (`eks.kube`) says when to look.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { currentRv, eventsSince, listObjects, oldestRv, type KubeObject, type ObjectScope } from './objects.js';
import { resourceId, type ResourceType } from './resources.js';
import type { Matcher } from './selectors.js';
import { gone } from './status.js';

export interface WatchRequest {
  store: Pick<ObjectScope, 'sql' | 'cluster'>;
  resource: ResourceType;
  namespace: string | undefined;
  match: Matcher;
  resourceVersion: string | null;
  timeoutSeconds: number;
  /** Subscribes to the change keys of this cluster's objects; returns the unsubscribe. */
  subscribe(fn: (key: string) => void): () => void;
  typed(obj: KubeObject): KubeObject;
}

const MAX_WATCH_S = 1800;

export function serveWatch(w: WatchRequest, req: IncomingMessage, res: ServerResponse): void {
  const rid = resourceId(w.resource);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  // The headers go now, not with the first event: a client's watch call returns once they arrive (client-go's reflector
  // cannot stop a watch still waiting for them, so `kubectl rollout status` would wait for the next event to exit).
  res.flushHeaders();
  const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  let last: number;
  const start = w.resourceVersion && w.resourceVersion !== '0' ? Number(w.resourceVersion) : undefined;
  if (start === undefined) {
    last = currentRv(w.store.sql);
    for (const o of listObjects(w.store, rid, w.namespace)) if (w.match(o)) send('ADDED', w.typed(o));
  } else if (!Number.isInteger(start) || start < oldestRv(w.store.sql)) {
    send('ERROR', gone(`too old resource version: ${w.resourceVersion} (${oldestRv(w.store.sql) + 1})`).status());
    res.end();
    return;
  } else last = start;

  let scheduled = false;
  const pump = () => {
    scheduled = false;
    if (res.writableEnded) return;
    for (;;) {
      const events = eventsSince(w.store, rid, last);
      for (const e of events) {
        last = e.rv;
        if (w.namespace !== undefined && e.namespace !== w.namespace) continue;
        const obj = JSON.parse(e.doc) as KubeObject;
        if (w.match(obj)) send(e.type, w.typed(obj));
      }
      if (events.length < 500) break;
    }
  };
  const prefix = `${w.store.cluster}|${rid}|`;
  const unsubscribe = w.subscribe((key) => {
    if (!scheduled && key.startsWith(prefix)) {
      scheduled = true;
      setImmediate(pump);
    }
  });
  pump();
  const timer = setTimeout(() => res.end(), Math.min(w.timeoutSeconds || MAX_WATCH_S, MAX_WATCH_S) * 1000);
  timer.unref();
  const close = () => {
    clearTimeout(timer);
    unsubscribe();
  };
  req.on('close', close);
  res.on('close', close);
  res.on('finish', close);
}
