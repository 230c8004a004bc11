/**
 * A tiny router over the History API: every page has its own URL under /_berth/ui/ (deep links; Berth answers any
 * such path with index.html), and links move between pages without reloading.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/_berth/ui/';

/** The current path below BASE, split into its decoded segments. */
function segments(): string[] {
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return rest.split('/').filter(Boolean).map(decodeURIComponent);
}

export function navigate(to: string) {
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(segments);
  useEffect(() => {
    const moved = () => setRoute(segments());
    addEventListener('popstate', moved);
    return () => removeEventListener('popstate', moved);
  }, []);
  return route;
}

/** A URL of the console from path segments (each encoded). */
export const href = (...parts: string[]) => BASE + parts.map(encodeURIComponent).join('/');

export function Link(props: { to: string; children: ComponentChildren; class?: string; 'aria-label'?: string; 'aria-current'?: 'page' }) {
  return (
    <a
      href={props.to}
      class={props.class}
      aria-label={props['aria-label']}
      aria-current={props['aria-current']}
      onClick={(e) => {
        // Let the browser open new tabs and windows itself.
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
