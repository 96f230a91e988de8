// The demo tenant's facts that code and tests name: SKUs with their service plans, apps, role holders, names. The
// tenant itself is the fixture src/tenants/demo-tenant.fixture.json (a test holds the two together). Ids derive from names (nameGuid)
// so that every machine gets the same GUIDs and tests and docs can name them.
import { nameGuid } from './ids.js';
import { catalogServicePlans, catalogSku } from './license-catalog.js';

export const DEMO_DOMAIN = 'example.com';
export const DEMO_TENANT_ID = nameGuid('tenant:example.com');
export const DEMO_PASSWORD = 'Tenantbox!2026';
export const DOMAIN_SID = 'S-1-5-21-3635565734-1729062999-1822655016';

export const DEMO_TENANT = { id: DEMO_TENANT_ID, domain: DEMO_DOMAIN, displayName: 'Example Corporation', domainSid: DOMAIN_SID };

export const FIRST = ['John', 'Adele', 'Alex', 'Diego', 'Grady', 'Henrietta', 'Isaiah', 'Johanna', 'Joni', 'Lee', 'Lidia', 'Lynne', 'Megan', 'Miriam', 'Nestor', 'Patti', 'Pradeep', 'Allan', 'Christie', 'Debra', 'Emily', 'Enrico', 'Irvin', 'Raul', 'Sanjay', 'Zrinka', 'Bianca', 'Cameron', 'Delia', 'Elvis', 'Fatima', 'Gustavo', 'Hannah', 'Ines', 'Jonas', 'Kiri', 'Leila', 'Mateo', 'Noor', 'Oskar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tomas', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aaron', 'Beatriz', 'Chen'];
export const LAST = ['Smith', 'Vance', 'Wilber', 'Siciliani', 'Archie', 'Mueller', 'Hill', 'Lauer', 'Sherman', 'Gu', 'Holloway', 'Robbins', 'Bowen', 'Graham', 'Wilke', 'Fernandez', 'Gupta', 'Deyoung', 'Cline', 'Berry', 'Braun', 'Rossi', 'Sayers', 'Razi', 'Patel', 'Car', 'Okafor', 'Nakamura', 'Lindqvist', 'Haddad', 'Kowalski', 'Moreau', 'Oliveira', 'Novak', 'Tanaka', 'Ivanova', 'Jensen', 'Duarte', 'Khan', 'Larsen', 'Mendes', 'Nguyen', 'Olsen', 'Petrov', 'Quiroga', 'Reyes', 'Schmidt', 'Torres', 'Ueda', 'Varga', 'Weber', 'Young', 'Zhou', 'Abebe'];
export const DEPARTMENTS = ['Sales', 'Marketing', 'Engineering', 'Finance', 'Legal', 'Operations', 'Research', 'Support'];
export const CITIES: [string, string, string][] = [
  ['London', 'GB', 'United Kingdom'],
  ['Seattle', 'US', 'United States'],
  ['Sydney', 'AU', 'Australia'],
  ['Berlin', 'DE', 'Germany'],
  ['Toronto', 'CA', 'Canada'],
];

export interface PlanSpec {
  name: string;
  id: string;
  displayName: string;
  auto?: boolean;
  appliesTo?: string;
}
export interface SkuSpec {
  partNumber: string;
  skuId: string;
  displayName: string;
  units: number;
  /** How many demo users hold it: real assignments, so consumedUnits is a real count. */
  holders: number;
  plans: PlanSpec[];
}

const plan = (name: string, id: string, displayName: string, auto = false): PlanSpec => ({ name, id, displayName, auto });

/** A SKU's plans as Microsoft's licensing reference lists them (license-catalog.ts). */
function publishedPlans(partNumber: string): PlanSpec[] {
  const hit = catalogSku(partNumber);
  if (!('sku' in hit)) throw new Error(`${partNumber} is not in the licence catalogue`);
  return catalogServicePlans(hit.sku).map((p) => ({ name: p.servicePlanName, id: p.servicePlanId, displayName: p.displayName, auto: p.isAutoAssignable }));
}

export const SKUS: SkuSpec[] = [
  {
    partNumber: 'SPE_E5',
    skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06',
    displayName: 'Microsoft 365 E5',
    units: 2500,
    holders: 24,
    plans: publishedPlans('SPE_E5'),
  },
  {
    partNumber: 'FLOW_FREE',
    skuId: 'f30db892-07e9-47e9-837c-80727f46fd3d',
    displayName: 'Microsoft Flow Free',
    units: 5000,
    holders: 30,
    plans: publishedPlans('FLOW_FREE'),
  },
  {
    partNumber: 'O365_BUSINESS_PREMIUM',
    skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
    displayName: 'Microsoft 365 Business Standard',
    units: 300,
    holders: 8,
    // The seed documents' Adaxes examples modify this SKU's services CDS_O365_P3, FLOW_O365_P3 and
    // EXCHANGEENTERPRISE, so it keeps that set of plans (under Microsoft's GUIDs) rather than the reference's.
    plans: [
      plan('CDS_O365_P3', 'afa73018-811e-46e9-988f-f75d2b1b8430', 'Common Data Service for Teams'),
      plan('FLOW_O365_P3', '07699545-9485-468e-95b6-2fca3738be01', 'Power Automate for Office 365'),
      plan('EXCHANGEENTERPRISE', 'efb87545-963c-4e0d-99df-69c6916d9eb0', 'Exchange Online (Plan 2)'),
      plan('TEAMS1', '57ff2da0-773e-42df-b2af-ffb7a2317929', 'Microsoft Teams'),
      plan('OFFICESUBSCRIPTION', '43de0ff5-c92c-492b-9116-175376d08c38', 'Microsoft 365 Apps for enterprise'),
      plan('EXCHANGE_S_FOUNDATION', '113feb6c-3fe4-4440-bddc-54d774bf0318', 'Exchange Foundation', true),
    ],
  },
  {
    partNumber: 'ENTERPRISEPREMIUM',
    skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
    displayName: 'Office 365 E5',
    units: 100,
    holders: 6,
    plans: publishedPlans('ENTERPRISEPREMIUM'),
  },
  {
    partNumber: 'ENTERPRISEPACK',
    skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
    displayName: 'Office 365 E3',
    units: 25,
    holders: 15,
    plans: publishedPlans('ENTERPRISEPACK'),
  },
];

export interface AppSpec {
  name: string;
  roles: string[];
  scopes: string[];
  publicClient?: boolean;
  /** Directory roles (display names) held by the app's service principal. */
  directoryRoles?: string[];
}

/**
 * Directory roles of demo users, by user principal name: an administrator, a user and helpdesk administrator, a
 * licence administrator and the other roles the authorization rules name. Students, teachers and everyone else hold
 * none and get the default user permissions.
 */
export const DEMO_ROLE_HOLDERS: { upn: string; roles: string[] }[] = [
  { upn: 'adele.vance@example.com', roles: ['Global Administrator'] },
  { upn: 'alex.wilber@example.com', roles: ['User Administrator'] },
  { upn: 'diego.siciliani@example.com', roles: ['Helpdesk Administrator'] },
  { upn: 'grady.archie@example.com', roles: ['License Administrator'] },
  { upn: 'henrietta.mueller@example.com', roles: ['Groups Administrator'] },
  { upn: 'isaiah.hill@example.com', roles: ['Cloud Device Administrator'] },
  { upn: 'johanna.lauer@example.com', roles: ['Privileged Role Administrator'] },
];

export const DELEGATED_SCOPES = [
  'User.Read',
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Device.Read.All',
  'Group.Read.All',
  'GroupMember.Read.All',
  'EduRoster.ReadBasic',
  'EduRoster.Read',
  'EduRoster.ReadWrite',
  'LicenseAssignment.ReadWrite.All',
  'Organization.Read.All',
  'offline_access',
  'openid',
  'profile',
];

export const APPS: AppSpec[] = [
  { name: 'Device Manager', roles: ['Device.ReadWrite.All'], scopes: [], directoryRoles: ['Cloud Device Administrator'] },
  { name: 'Roster Reader', roles: ['EduRoster.Read.All'], scopes: [] },
  {
    name: 'Tenant Admin',
    roles: [
      'Directory.ReadWrite.All',
      'Device.ReadWrite.All',
      'EduRoster.ReadWrite.All',
      'LicenseAssignment.ReadWrite.All',
      'User.ReadWrite.All',
      'Group.ReadWrite.All',
      'GroupMember.ReadWrite.All',
      'Organization.ReadWrite.All',
      'AdministrativeUnit.ReadWrite.All',
      'Application.ReadWrite.All',
      'Member.Read.Hidden',
      'RoleManagement.ReadWrite.Directory',
    ],
    scopes: [],
    directoryRoles: ['Global Administrator'],
  },
  { name: 'Directory Reader', roles: ['Directory.Read.All'], scopes: [] },
  { name: 'No Permissions', roles: [], scopes: [] },
  { name: 'Tenantbox Public Client', roles: [], scopes: DELEGATED_SCOPES, publicClient: true },
];

export const appClientId = (name: string) => nameGuid(`app:${name}`);
/** Demo secrets are derived from the app name so `tenantbox credentials` can print them; only their hashes are stored. */
export const appSecret = (name: string) => `tbx~${name.replace(/\s+/g, '')}~${nameGuid(`secret:${name}`).slice(0, 13)}`;
