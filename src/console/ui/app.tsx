/** The console's shell: header with breadcrumbs and the live indicator, and the page for the current URL. */
import { useLiveStatus } from './live';
import { href, Link, useRoute } from './router';
import { AppRunnerServicePage, AppsPage } from './pages/apps';
import { ClusterPage } from './pages/cluster';
import { EksClusterPage, EksPage } from './pages/eks';
import { EventBusesPage, EventBusPage } from './pages/event-buses';
import { EventsPage } from './pages/events';
import { InstancesPage } from './pages/instances';
import { LoadBalancersPage } from './pages/load-balancers';
import { OverviewPage } from './pages/overview';
import { QueuePage, QueuesPage } from './pages/queues';
import { RegistryPage } from './pages/registry';
import { RepositoryPage } from './pages/repository';
import { ServicePage } from './pages/service';
import { TaskPage } from './pages/task';

function Page({ route }: { route: string[] }) {
  const [first, account, region, cluster, kind, name] = route;
  if (route.length === 0) return <OverviewPage />;
  if (first === 'registry' && route.length === 1) return <RegistryPage />;
  if (first === 'registry' && route.length === 4) return <RepositoryPage account={account} region={region} name={route[3]} />;
  if (first === 'load-balancers' && route.length === 1) return <LoadBalancersPage />;
  if (first === 'instances' && route.length === 1) return <InstancesPage />;
  if (first === 'events' && route.length === 1) return <EventsPage />;
  if (first === 'queues' && route.length === 1) return <QueuesPage />;
  if (first === 'apps' && route.length === 1) return <AppsPage />;
  if (first === 'apps' && route.length === 4) return <AppRunnerServicePage account={account} region={region} name={route[3]} />;
  if (first === 'eks' && route.length === 1) return <EksPage />;
  if (first === 'eks' && route.length === 4) return <EksClusterPage account={account} region={region} name={route[3]} />;
  if (first === 'event-buses' && route.length === 1) return <EventBusesPage />;
  if (first === 'event-buses' && route.length === 4) return <EventBusPage account={account} region={region} name={route[3]} />;
  if (first === 'queues' && route.length === 4) return <QueuePage account={account} region={region} name={route[3]} />;
  if (first === 'clusters' && route.length === 4) return <ClusterPage account={account} region={region} cluster={cluster} />;
  if (first === 'clusters' && route.length === 6 && kind === 'services') {
    return <ServicePage account={account} region={region} cluster={cluster} service={name} />;
  }
  if (first === 'clusters' && route.length === 6 && kind === 'tasks') {
    return <TaskPage account={account} region={region} cluster={cluster} task={name} />;
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>No console page at this address. <Link to={href()}>Back to the overview</Link>.</p>
    </section>
  );
}

/** The areas, each a page of its own. */
const AREAS: [string, string][] = [['', 'Overview'], ['registry', 'Registry'], ['load-balancers', 'Load balancers'], ['instances', 'Instances'],
  ['apps', 'Apps'], ['eks', 'EKS'], ['queues', 'Queues'], ['event-buses', 'Event buses'], ['events', 'Events']];

function Nav({ route }: { route: string[] }) {
  return (
    <nav aria-label="Areas" class="nav">
      {AREAS.map(([path, label]) => (
        <Link key={path} to={path ? href(path) : href()} aria-current={(route[0] ?? '') === path ? 'page' : undefined}>{label}</Link>
      ))}
    </nav>
  );
}

function Breadcrumbs({ route }: { route: string[] }) {
  const [first, account, region, cluster, kind, name] = route;
  const areaCrumbs: Record<string, string> = { registry: 'Registry', apps: 'Apps', eks: 'EKS', queues: 'Queues', 'event-buses': 'Event buses' };
  if (areaCrumbs[first] && route.length === 4) {
    return (
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link to={href(first)}>{areaCrumbs[first]}</Link><span aria-hidden="true">/</span>
        <span class="muted">{account} · {region}</span><span aria-hidden="true">/</span><span aria-current="page">{route[3]}</span>
      </nav>
    );
  }
  if (first !== 'clusters' || !cluster) return <span class="crumbs" />;
  return (
    <nav aria-label="Breadcrumb" class="crumbs">
      <Link to={href()}>Overview</Link>
      <span aria-hidden="true">/</span>
      <span class="muted">{account} · {region}</span>
      <span aria-hidden="true">/</span>
      <Link to={href('clusters', account, region, cluster)}>{cluster}</Link>
      {name && (
        <>
          <span aria-hidden="true">/</span>
          <span aria-current="page">{kind === 'services' ? `service ${name}` : `task ${name}`}</span>
        </>
      )}
    </nav>
  );
}

export function App() {
  const route = useRoute();
  const live = useLiveStatus();
  return (
    <>
      <header class="top">
        <Link to={href()} class="brand" aria-label="Berth console overview">Berth</Link>
        <Nav route={route} />
        <Breadcrumbs route={route} />
        <span class={`live ${live ? 'on' : 'off'}`} role="status" aria-live="polite" data-testid="live">
          {live ? 'live' : 'reconnecting…'}
        </span>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}
