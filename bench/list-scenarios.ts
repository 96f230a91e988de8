// List pages of every listed resource, $top=100: the plain first page, one filtered and one sorted, plus two
// $skiptoken walks. Where Graph accepts the query only as an advanced query (sorting devices, filtering or sorting
// a directoryObject collection), the request carries ConsistencyLevel: eventual and $count=true, as a client must
// (https://learn.microsoft.com/graph/aad-advanced-queries).
import { need, probe, walk, type Ctx, type Scenario, type Target } from './scenario-kit.js';

interface Listed {
  /** Path as shown in the scenario's name. */
  shown: string;
  path(ctx: Ctx): string;
  filter: string;
  orderby: string;
  /** Which of the two needs the advanced-query form. */
  advanced: { filter: boolean; orderby: boolean };
  /** In the mixed-read load. */
  mixed?: 'plain' | 'filter';
}

const LISTED: Listed[] = [
  { shown: '/users', path: () => '/v1.0/users', filter: "startsWith(displayName,'a')", orderby: 'displayName', advanced: { filter: false, orderby: false }, mixed: 'plain' },
  { shown: '/groups', path: () => '/v1.0/groups', filter: "startsWith(displayName,'Nested')", orderby: 'displayName', advanced: { filter: false, orderby: false }, mixed: 'plain' },
  { shown: '/devices', path: () => '/v1.0/devices', filter: "startsWith(displayName,'LT-')", orderby: 'displayName', advanced: { filter: false, orderby: true }, mixed: 'filter' },
  { shown: '/education/users', path: () => '/v1.0/education/users', filter: "startsWith(displayName,'a')", orderby: 'displayName', advanced: { filter: false, orderby: false } },
  { shown: '/education/classes', path: () => '/v1.0/education/classes', filter: "startsWith(displayName,'M')", orderby: 'displayName', advanced: { filter: false, orderby: false } },
  { shown: '/education/schools', path: () => '/v1.0/education/schools', filter: "startsWith(displayName,'Generated')", orderby: 'displayName', advanced: { filter: false, orderby: false } },
  {
    shown: '/administrativeUnits/{school}/members',
    path: (ctx) => `/v1.0/administrativeUnits/${need(ctx.samples.school)}/members`,
    filter: "startsWith(displayName,'a')",
    orderby: 'displayName',
    advanced: { filter: true, orderby: true },
  },
];

const EVENTUAL = { consistencylevel: 'eventual' };

async function page(ctx: Ctx, path: string, advanced: boolean): Promise<Target> {
  const full = advanced ? `${path}&$count=true` : path;
  const headers = { authorization: `Bearer ${ctx.graphToken}`, ...(advanced ? EVENTUAL : {}) };
  await probe(ctx, full, { headers });
  return { requests: [{ method: 'GET', path: full, headers }] };
}

function variants(l: Listed): Scenario[] {
  const adv = (on: boolean) => (on ? '&$count=true (eventual)' : '');
  return [
    {
      name: `GET ${l.shown}?$top=100`,
      goal: 'list',
      mixed: l.mixed === 'plain',
      prepare: (ctx) => page(ctx, `${l.path(ctx)}?$top=100`, false),
    },
    {
      name: `GET ${l.shown}?$filter=${l.filter}&$top=100${adv(l.advanced.filter)}`,
      goal: 'list',
      mixed: l.mixed === 'filter',
      prepare: (ctx) => page(ctx, `${l.path(ctx)}?$filter=${encodeURIComponent(l.filter)}&$top=100`, l.advanced.filter),
    },
    {
      name: `GET ${l.shown}?$orderby=${l.orderby}&$top=100${adv(l.advanced.orderby)}`,
      goal: 'list',
      prepare: (ctx) => page(ctx, `${l.path(ctx)}?$orderby=${l.orderby}&$top=100`, l.advanced.orderby),
    },
  ];
}

/** The filtered page whose single-connection p99 is compared across tenant sizes. */
export const FLAT_P99_SCENARIO = "GET /devices?$filter=startsWith(displayName,'LT-')&$top=100";

export const LIST_SCENARIOS: Scenario[] = [
  ...LISTED.flatMap(variants),
  {
    name: 'GET /devices?$filter=… paged walk ($skiptoken, 20 pages)',
    goal: 'list',
    prepare: (ctx) => walk(ctx, `/v1.0/devices?$filter=${encodeURIComponent("startsWith(displayName,'LT-')")}&$top=100`, 20),
  },
  {
    name: 'GET /users?$top=100 paged walk ($skiptoken, 20 pages)',
    goal: 'list',
    prepare: (ctx) => walk(ctx, '/v1.0/users?$top=100', 20),
  },
];
