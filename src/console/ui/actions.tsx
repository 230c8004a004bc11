/**
 * Console actions: a button runs one AWS operation through POST /_berth/api/actions/<service>/<Operation> (see
 * console/actions.ts), carrying the console token the page reads once from /_berth/api/session. A destructive
 * action asks to be confirmed by a second click (no browser dialog: keyboard- and test-friendly). The outcome, or
 * the AWS error code and message, shows beside the button; the page itself follows through its live view.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

let session: Promise<{ token: string; actions: boolean }> | undefined;

function getSession() {
  session ??= fetch('/_berth/api/session', { headers: { accept: 'application/json' } }).then((r) => {
    if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
    return r.json() as Promise<{ token: string; actions: boolean }>;
  });
  session.catch(() => (session = undefined));
  return session;
}

export type Scope = { account: string; region: string };

/** Runs an action; resolves to its output, or throws an Error whose message is "<code>: <message>". */
export async function act(name: string, scope: Scope, input: Record<string, unknown>): Promise<unknown> {
  const { token } = await getSession();
  const res = await fetch(`/_berth/api/actions/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, accept: 'application/json' },
    body: JSON.stringify({ ...scope, input }),
  });
  const body = (await res.json().catch(() => ({}))) as { output?: unknown; error?: string; message?: string };
  if (!res.ok) throw new Error(`${body.error ?? res.status}: ${body.message ?? res.statusText}`);
  return body.output;
}

type Status = { kind: 'idle' } | { kind: 'armed' } | { kind: 'busy' } | { kind: 'done'; text: string } | { kind: 'failed'; text: string };

/** A button that runs `run`; with `confirm`, the first click arms it and the second runs it. */
export function ActionButton({ label, confirm, run, done, testId }: {
  label: string; confirm?: string; run: () => Promise<unknown>; done?: string; testId?: string; children?: ComponentChildren;
}) {
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const go = async () => {
    if (confirm && status.kind !== 'armed') return setStatus({ kind: 'armed' });
    setStatus({ kind: 'busy' });
    try {
      await run();
      setStatus({ kind: 'done', text: done ?? 'Done.' });
    } catch (err) {
      setStatus({ kind: 'failed', text: (err as Error).message });
    }
  };
  return (
    <span class="action">
      <button type="button" data-testid={testId} disabled={status.kind === 'busy'} onClick={go}
        class={status.kind === 'armed' ? 'armed' : undefined}>
        {status.kind === 'armed' ? confirm : label}
      </button>
      {status.kind === 'armed' && <button type="button" class="link" onClick={() => setStatus({ kind: 'idle' })}>Cancel</button>}
      {status.kind === 'done' && <span class="small muted" role="status"> {status.text}</span>}
      {status.kind === 'failed' && <span class="small error" role="alert"> {status.text}</span>}
    </span>
  );
}

/** A number field with a button (a service's desired count). */
export function NumberAction({ label, initial, min, max, run, testId }: {
  label: string; initial: number; min: number; max: number; run: (n: number) => Promise<unknown>; testId?: string;
}) {
  const [value, setValue] = useState(String(initial));
  const n = Number(value);
  const valid = value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max;
  return (
    <span class="action">
      <label>{label} <input type="number" min={min} max={max} value={value} data-testid={testId && `${testId}-input`}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)} /></label>
      {valid ? <ActionButton label="Update" testId={testId} run={() => run(n)} done="Updated." />
        : <button type="button" disabled>Update</button>}
    </span>
  );
}
