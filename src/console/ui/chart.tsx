/**
 * A tiny SVG line chart of CloudWatch datapoints (no chart library: a polyline over the window's time axis).
 * Charts run from 0 to a little above their peak (a percent chart at least to 5%, at most to 100%), so a quiet service
 * still shows its shape; the scale is written under the title. The latest value is written beside the title, and
 * the chart carries a text summary for screen readers. Deployments (green) and scaling activities (amber) are
 * dashed vertical lines with their description on hover.
 */
import type { Mark, Point } from '../views';

const W = 320;
const H = 80;

export function Chart({ title, points, from, to, percent, marks = [] }: { title: string; points: Point[]; from: string; to: string; percent?: boolean; marks?: Mark[] }) {
  const t0 = Date.parse(from);
  const span = Math.max(1, Date.parse(to) - t0);
  const peak = Math.max(0, ...points.map((p) => p.v));
  const top = percent ? Math.min(100, Math.max(5, peak * 1.25)) : Math.max(1, peak);
  const x = (t: number) => ((t - t0) / span) * W;
  const y = (v: number) => H - (Math.min(v, top) / top) * H;
  const last = points.at(-1);
  const fmt = (v: number) => (percent ? `${v.toFixed(1)}%` : String(Math.round(v)));
  const summary = points.length ? `${title}: ${points.length} minutes, latest ${fmt(last!.v)}, peak ${fmt(peak)}` : `${title}: no data yet`;
  return (
    <figure class="chart" data-testid={`chart-${title}`}>
      <figcaption>{title} <strong data-testid="chart-latest">{last ? fmt(last.v) : '—'}</strong> <span class="muted small">last hour, scale 0–{fmt(top)}</span></figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1="0" y1={H} x2={W} y2={H} class="axis" />
        {marks.map((m) => (
          <line key={`${m.kind}${m.t}`} x1={x(m.t)} x2={x(m.t)} y1="0" y2={H} class={`mark ${m.kind}`} data-testid={`mark-${m.kind}`}>
            <title>{new Date(m.t).toLocaleTimeString()}: {m.label}</title>
          </line>
        ))}
        {points.length > 1 && <polyline fill="none" points={points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')} />}
        {points.map((p) => <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r="1.8"><title>{new Date(p.t).toLocaleTimeString()}: {fmt(p.v)}</title></circle>)}
      </svg>
    </figure>
  );
}
