/**
 * The services Berth knows, as one list read by the catalogue (protocol/catalog.ts), the
 * provider loader (providers.ts), the migrations runner (state/migrations.ts), reset
 * (state/reset.ts) and the change feed's kinds. The list itself is descriptors.ts, one
 * line per service; here it is ordered by service id, so nothing depends on where a line sits.
 */
import * as ALL from './descriptors.js';
import type { ChangeKindsOf, ServiceDescriptor } from './service-descriptor.js';

export type { ServiceDescriptor } from './service-descriptor.js';

export const DESCRIPTORS: readonly ServiceDescriptor[] = Object.values(ALL).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** What a resource change is called on the change feed: the union of every descriptor's change kinds. */
export type ChangeKind = ChangeKindsOf<(typeof ALL)[keyof typeof ALL]>;
