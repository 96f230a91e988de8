// Builds the demo tenant: deterministic, idempotent (skipped when already present), restorable by reset.
import { nameGuid, makeDn, domainDn } from './ids.js';
import type { Directory } from './directory.js';
import type { Writer } from './writer.js';
import { APPS, CITIES, DEMO_DOMAIN, DEMO_PASSWORD, DEPARTMENTS, DOMAIN_SID, FIRST, LAST, SKUS, appClientId, appSecret } from './demo-data.js';
import { hashSecretSync as hashSecret } from './credentials.js';
import type { Props } from './model.js';
import { saveAdaxesConfig } from './adaxes-config.js';
import { DEMO_ADAXES_CONFIG } from './adaxes-demo-config.js';
import { classFacet, deviceShape, educationUserShape, groupShape, schoolShape, userShape } from './shapes.js';

const BASE_DN = domainDn(DEMO_DOMAIN);
const USERS_DN = `CN=Users,${BASE_DN}`;
const GROUPS_DN = `OU=Groups,${BASE_DN}`;
const COMPUTERS_DN = `CN=Computers,${BASE_DN}`;
const CONTACTS_DN = `OU=Contacts,${BASE_DN}`;
const SCHOOLS_DN = `OU=Schools,${BASE_DN}`;
const T0 = Date.parse('2025-01-06T09:00:00Z');
const at = (days: number) => new Date(T0 + days * 86_400_000).toISOString().replace('.000Z', 'Z');

let ridCounter = 1100;
const identity = (kind: string, name: string) => ({
  id: nameGuid(`${kind}:${name}`),
  objectGuid: nameGuid(`objectGUID:${kind}:${name}`),
  sid: `${DOMAIN_SID}-${ridCounter++}`,
});


export const MARKER_KEY = 'demo_tenant';

export async function seedDemoTenant(dir: Directory): Promise<boolean> {
  const present = await dir.db.selectFrom('meta').select('value').where('key', '=', MARKER_KEY).executeTakeFirst();
  if (present) return false;
  await dir.write(async (w) => {
    await buildDemo(w, dir.tenant.id);
    await w.tx.insertInto('meta').values({ key: MARKER_KEY, value: new Date().toISOString() }).execute();
  });
  return true;
}

/** Removes everything but the keys and builds the demo tenant again, in one transaction; deletions reach delta. */
export async function resetToDemoTenant(dir: Directory): Promise<void> {
  await dir.write(async (w) => {
    const all = await w.tx.selectFrom('objects').select('id').execute();
    for (const { id } of all) {
      const obj = await w.load(id);
      if (obj) await w.delete(obj);
    }
    for (const t of ['links', 'object_index', 'license_assignments', 'usage_rights', 'skus', 'apps', 'credentials', 'tokens'] as const)
      await w.tx.deleteFrom(t).execute();
    await w.tx.deleteFrom('meta').where('key', '=', MARKER_KEY).execute();
    ridCounter = 1100;
    await buildDemo(w, dir.tenant.id);
    await w.tx.insertInto('meta').values({ key: MARKER_KEY, value: new Date().toISOString() }).execute();
  });
}

async function buildDemo(w: Writer, tenantId: string) {
  ridCounter = 1100;
  const passwordHash = hashSecret(DEMO_PASSWORD);

  // ── licences ─────────────────────────────────────────────────────────────
  for (const s of SKUS) {
    await w.tx
      .insertInto('skus')
      .values({
        sku_id: s.skuId,
        sku_part_number: s.partNumber,
        display_name: s.displayName,
        applies_to: 'User',
        capability_status: 'Enabled',
        prepaid_enabled: s.units,
        prepaid_suspended: 0,
        prepaid_warning: 0,
        prepaid_locked_out: 0,
        account_id: tenantId,
        account_name: 'Example Corporation',
        subscription_ids: JSON.stringify([nameGuid(`subscription:${s.partNumber}`)]),
        service_plans: JSON.stringify(
          s.plans.map((p) => ({ servicePlanId: p.id, servicePlanName: p.name, displayName: p.displayName, appliesTo: 'User', provisioningStatus: 'Success', isAutoAssignable: !!p.auto })),
        ),
      })
      .execute();
  }

  // ── users ────────────────────────────────────────────────────────────────
  const users: { id: string; name: string }[] = [];
  for (let i = 0; i < FIRST.length; i++) {
    const given = FIRST[i];
    const sur = LAST[i];
    const name = `${given} ${sur}`;
    const upn = `${given}.${sur}@${DEMO_DOMAIN}`.toLowerCase();
    const [city, country, countryName] = CITIES[i % CITIES.length];
    const ident = identity('user', name);
    // Two users in three are Active Directory users synchronised to Microsoft 365 (John Smith, the seed documents'
    // example addressed by DN, among them); the others are cloud-only.
    const synced = i === 0 || i % 3 !== 0;
    const props = userShape(
      {
        given,
        sur,
        upn,
        domain: DEMO_DOMAIN,
        dn: makeDn(name, USERS_DN),
        sid: ident.sid,
        objectGuid: ident.objectGuid,
        synced,
        samAccountName: `${given[0]}${sur}`.toLowerCase(),
        city,
        countryName,
        usageLocation: i % 11 === 10 ? null : country,
        createdAt: at(i),
        syncAt: at(300 + (i % 20)),
        v: i,
      },
      {
        proxyAddresses: [`SMTP:${upn}`, `smtp:${given[0]}${sur}@${DEMO_DOMAIN}`.toLowerCase()],
        employeeId: String(100000 + i),
        businessPhones: [`+44 20 7946 ${String(1000 + i).slice(-4)}`],
        // John Smith is the seed documents' example: a Marketing analyst in GB holding Microsoft 365 E5.
        ...(i === 0 ? { jobTitle: 'Marketing analyst', department: 'Marketing', usageLocation: 'GB' } : { department: DEPARTMENTS[i % DEPARTMENTS.length] }),
      },
    );
    const u = await w.create({ ...ident, type: 'user', dn: makeDn(name, USERS_DN), props });
    await w.tx.insertInto('credentials').values({ user_id: u.id, password_hash: passwordHash, failed_attempts: 0, locked_until: null }).execute();
    users.push({ id: u.id, name });
  }

  // Real assignments: consumedUnits is always counted from these.
  const licensable = users.filter((_, i) => i === 0 || i % 11 !== 10);
  for (const s of SKUS) {
    const holders = s.partNumber === 'FLOW_FREE' ? licensable.slice(licensable.length - s.holders) : licensable.slice(0, s.holders);
    for (const h of holders) {
      await w.tx.insertInto('license_assignments').values({ user_id: h.id, sku_id: s.skuId, disabled_plans: '[]', assigned_at: at(30) }).execute();
    }
  }
  for (const u of licensable) await w.reindex(u.id);

  // ── groups, nested ───────────────────────────────────────────────────────
  const group = async (name: string, kind: 'security' | 'm365' | 'class', extra: Props = {}, facet: 'educationClass' | null = null) => {
    const ident = identity('group', name);
    return w.create({
      ...ident,
      type: 'group',
      facet,
      dn: kind === 'security' ? makeDn(name, GROUPS_DN) : null,
      props: groupShape({ name, kind, domain: DEMO_DOMAIN, sid: ident.sid, createdAt: at(10), syncAt: at(320) }, extra),
    });
  };

  // A ten-level chain of security groups (Level 1 ⊃ Level 2 ⊃ … ⊃ Level 10) with a cycle back from the bottom.
  const levels = [];
  for (let l = 1; l <= 10; l++) levels.push(await group(`Nested Level ${l}`, 'security'));
  for (let l = 0; l < 9; l++) await w.addLink('member', levels[l].id, levels[l + 1].id);
  await w.addLink('member', levels[9].id, levels[4].id);
  const allStaff = await group('All Staff', 'security');
  const engineering = await group('Engineering', 'security');
  const platform = await group('Platform Team', 'security');
  const sales = await group('Sales Team', 'security');
  const admins = await group('Device Administrators', 'security');
  const m365 = [await group('Marketing Hub', 'm365'), await group('Project Phoenix', 'm365'), await group('Social Club', 'm365')];
  await w.addLink('member', allStaff.id, engineering.id);
  await w.addLink('member', allStaff.id, sales.id);
  await w.addLink('member', engineering.id, platform.id);
  await w.addLink('member', levels[0].id, allStaff.id);
  for (let i = 0; i < users.length; i++) {
    const u = users[i];
    if (i % 8 === 2) await w.addLink('member', engineering.id, u.id);
    else if (i % 8 === 0) await w.addLink('member', sales.id, u.id);
    else await w.addLink('member', allStaff.id, u.id);
    if (i % 9 === 3) await w.addLink('member', platform.id, u.id);
    if (i % 5 === 1) await w.addLink('member', m365[i % 3].id, u.id);
    if (i % 13 === 0) await w.addLink('owner', m365[(i / 13) % 3].id, u.id);
  }
  await w.addLink('member', levels[9].id, users[0].id);

  // ── administrative units ─────────────────────────────────────────────────
  const au = async (name: string, facet: 'educationSchool' | null = null, extra: Props = {}) => {
    const ident = identity('administrativeUnit', name);
    return w.create({
      ...ident,
      type: 'administrativeUnit',
      facet,
      dn: makeDn(name, facet ? SCHOOLS_DN : `OU=Units,${BASE_DN}`),
      props: { displayName: name, description: `${name} administrative unit`, visibility: null, membershipType: null, membershipRule: null, membershipRuleProcessingState: null, isMemberManagementRestricted: null, ...extra },
    });
  };
  const regions = [await au('London Office'), await au('Seattle Office'), await au('Sydney Office')];
  for (let i = 0; i < users.length; i++) {
    const city = CITIES[i % CITIES.length][0];
    const r = regions.find((x) => x.props.displayName === `${city} Office`);
    if (r) await w.addLink('member', r.id, users[i].id);
  }
  await w.addLink('member', regions[0].id, admins.id);

  // ── org contacts ─────────────────────────────────────────────────────────
  const partners = ['Fabrikam', 'Northwind Traders', 'Tailspin Toys', 'Woodgrove Bank', 'Litware'];
  for (let i = 0; i < partners.length; i++) {
    const name = `${FIRST[(i * 7) % FIRST.length]} ${LAST[(i * 5 + 3) % LAST.length]} (${partners[i]})`;
    const mail = `contact${i + 1}@${partners[i].toLowerCase().replace(/\s+/g, '')}.example`;
    const c = await w.create({
      ...identity('orgContact', name),
      type: 'orgContact',
      dn: makeDn(name, CONTACTS_DN),
      props: {
        displayName: name,
        givenName: name.split(' ')[0],
        surname: name.split(' ')[1],
        mail,
        mailNickname: `contact${i + 1}`,
        companyName: partners[i],
        department: 'Partner',
        jobTitle: 'Account Manager',
        proxyAddresses: [`SMTP:${mail}`],
        addresses: [],
        phones: [],
        onPremisesSyncEnabled: null,
        onPremisesLastSyncDateTime: null,
      },
    });
    if (i < 2) await w.addLink('member', sales.id, c.id);
  }

  // ── service principals and app registrations ─────────────────────────────
  await w.create({
    ...identity('servicePrincipal', 'Microsoft Graph'),
    type: 'servicePrincipal',
    props: spProps('Microsoft Graph', '00000003-0000-0000-c000-000000000000', 'Microsoft Services'),
  });
  for (const a of APPS) {
    const clientId = appClientId(a.name);
    const sp = await w.create({ ...identity('servicePrincipal', a.name), type: 'servicePrincipal', props: spProps(a.name, clientId, 'Example Corporation') });
    await w.tx
      .insertInto('apps')
      .values({
        client_id: clientId,
        display_name: a.name,
        service_principal_id: sp.id,
        secret_hash: hashSecret(appSecret(a.name)),
        app_roles: JSON.stringify(a.roles),
        scopes: JSON.stringify(a.scopes),
        public_client: a.publicClient ? 1 : 0,
      })
      .execute();
    if (a.name === 'Tenant Admin') await w.addLink('member', admins.id, sp.id);
  }

  // ── devices ──────────────────────────────────────────────────────────────
  const platforms: [string, string, string, string][] = [
    ['Windows', '10.0.22631.4317', 'Microsoft Corporation', 'Surface Laptop 5'],
    ['Windows', '10.0.26100.2033', 'Dell Inc.', 'Latitude 7440'],
    ['iOS', '17.6.1', 'Apple', 'iPhone 15'],
    ['Android', '14', 'Samsung', 'Galaxy S24'],
    ['macOS', '14.6.1', 'Apple', 'MacBook Pro'],
    ['iPadOS', '17.6', 'Apple', 'iPad Air'],
  ];
  for (let i = 0; i < 36; i++) {
    const [os, ver, maker, model] = platforms[i % platforms.length];
    const owner = users[(i * 3) % users.length];
    const name = `${owner.name.split(' ')[0].toUpperCase()}-${os.toUpperCase()}-${String(i + 1).padStart(2, '0')}`;
    const deviceId = nameGuid(`deviceId:${name}`);
    const windows = os === 'Windows';
    const d = await w.create({
      ...identity('device', name),
      type: 'device',
      dn: windows ? makeDn(name, COMPUTERS_DN) : null,
      props: deviceShape({
        name,
        deviceId,
        platform: [os, ver, maker, model],
        physicalIds: [`[USER-GID]:${owner.id}:6825761${String(i).padStart(6, '0')}`, `[GID]:g:6966${String(i).padStart(10, '0')}`],
        registeredAt: at(20 + i),
        lastSignInAt: at(320 + (i % 30)),
        syncAt: at(330),
        v: i,
      }),
    });
    await w.addLink('registeredOwner', d.id, owner.id);
    await w.addLink('registeredUser', d.id, owner.id);
    if (i % 4 === 0) await w.addLink('registeredUser', d.id, users[(i * 3 + 1) % users.length].id);
    if (windows) await w.addLink('member', admins.id, d.id);
    if (i % 6 === 1) await w.addLink('member', levels[9].id, d.id);
    if (i % 5 === 0) await w.addLink('member', regions[i % 3].id, d.id);
    for (let r = 0; r < 1 + (i % 3); r++) {
      await w.tx
        .insertInto('usage_rights')
        .values({
          id: nameGuid(`usageRight:${name}:${r}`),
          device_id: d.id,
          catalog_id: ['CFQ7TTC0LH18', 'CFQ7TTC0LFLZ', 'CFQ7TTC0LHRF'][r],
          service_identifier: ['ProjectProfessional', 'VisioClient', 'Office365Apps'][r],
          state: ['active', 'inactive', 'warning', 'suspended'][(i + r) % 4],
        })
        .execute();
    }
  }

  // ── education: schools (administrative units), classes (groups), teachers and students (users) ─
  await buildSchools(w, users, au, group, passwordHash);

  // ── Adaxes: the groups its security roles are assigned to, and the configuration ─
  const adaxesAdmins = await group('Adaxes Administrators', 'security');
  const helpDesk = await group('Help Desk', 'security');
  await w.addLink('member', adaxesAdmins.id, users[0].id);
  for (const i of [1, 4]) await w.addLink('member', helpDesk.id, users[i].id);
  await saveAdaxesConfig(w.tx, DEMO_ADAXES_CONFIG);
}

function spProps(name: string, appId: string, publisher: string): Props {
  return {
    accountEnabled: true,
    appDisplayName: name,
    appId,
    appOwnerOrganizationId: null,
    appRoleAssignmentRequired: false,
    displayName: name,
    servicePrincipalNames: [appId],
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMyOrg',
    publisherName: publisher,
    tags: [],
    alternativeNames: [],
    notificationEmailAddresses: [],
    replyUrls: [],
    homepage: null,
    description: null,
    appRoles: [],
    oauth2PermissionScopes: [],
  };
}

type MakeAu = (name: string, facet?: 'educationSchool' | null, extra?: Props) => ReturnType<Writer['create']>;
type MakeGroup = (name: string, kind: 'security' | 'm365' | 'class', extra?: Props, facet?: 'educationClass' | null) => ReturnType<Writer['create']>;

async function buildSchools(w: Writer, staff: { id: string; name: string }[], au: MakeAu, group: MakeGroup, passwordHash: string) {
  const createdBy = { user: { id: staff[0].id, displayName: staff[0].name }, application: null, device: null };
  const schools = [
    { name: 'Fabrikam High School', number: 'FHS-001', low: '9', high: '12', city: 'Seattle', street: '1 Fabrikam Way', zip: '98052', state: 'WA', country: 'US' },
    { name: 'Contoso Middle School', number: 'CMS-002', low: '6', high: '8', city: 'Redmond', street: '200 Contoso Ave', zip: '98053', state: 'WA', country: 'US' },
    { name: 'Northwind Primary', number: 'NWP-003', low: 'K', high: '5', city: 'Bellevue', street: '42 Northwind Rd', zip: '98004', state: 'WA', country: 'US' },
  ];
  const subjects = ['Mathematics', 'Biology', 'History', 'Literature'];
  let studentNo = 0;
  for (let s = 0; s < schools.length; s++) {
    const sc = schools[s];
    const school = await au(
      sc.name,
      'educationSchool',
      schoolShape({
        name: sc.name,
        number: sc.number,
        lowestGrade: sc.low,
        highestGrade: sc.high,
        address: { city: sc.city, countryOrRegion: sc.country, postalCode: sc.zip, state: sc.state, street: sc.street },
        phone: `+1 425 555 0${100 + s}`,
        principalEmail: `principal${s + 1}@${DEMO_DOMAIN}`,
        principalName: `${FIRST[10 + s]} ${LAST[20 + s]}`,
        createdBy,
      }),
    );
    const teachers = [];
    for (let t = 0; t < 2; t++) teachers.push(await eduUser(w, 'teacher', s, t, passwordHash, createdBy));
    const students = [];
    for (let k = 0; k < 8; k++) students.push(await eduUser(w, 'student', s, studentNo++, passwordHash, createdBy, sc.low));
    for (const u of [...teachers, ...students]) await w.addLink('member', school.id, u.id);
    for (let c = 0; c < 3; c++) {
      const subject = subjects[(s + c) % subjects.length];
      const name = `${subject} ${sc.number}-${c + 1}`;
      const cls = await group(name, 'class', classFacet({ name, subject, index: c, courseId: `C-${s}-${c}`, sectionId: `SEC-${sc.number}-${c + 1}`, grade: sc.high, createdBy }), 'educationClass');
      await w.addLink('schoolClass', school.id, cls.id);
      const teacher = teachers[c % teachers.length];
      // Teachers are owners and members of the class, as Office experiences expect.
      await w.addLink('owner', cls.id, teacher.id);
      await w.addLink('member', cls.id, teacher.id);
      for (let k = 0; k < students.length; k++) if ((k + c) % 3 !== 0) await w.addLink('member', cls.id, students[k].id);
    }
  }
}

async function eduUser(w: Writer, role: 'teacher' | 'student', school: number, n: number, passwordHash: string, createdBy: Props, grade = '9') {
  const given = FIRST[(n * 5 + school * 3 + (role === 'teacher' ? 11 : 2)) % FIRST.length];
  const sur = LAST[(n * 7 + school + (role === 'teacher' ? 13 : 4)) % LAST.length];
  const tag = role === 'teacher' ? `t${school}${n}` : `s${n}`;
  const name = `${given} ${sur}`;
  const upn = `${given}.${sur}.${tag}@${DEMO_DOMAIN}`.toLowerCase();
  const ident = identity('user', `${role}:${tag}:${name}`);
  const u = await w.create({
    ...ident,
    type: 'user',
    facet: 'educationUser',
    dn: makeDn(`${name} ${tag}`, USERS_DN),
    props: educationUserShape({
      given,
      sur,
      upn,
      role,
      tag,
      n,
      grade,
      createdAt: at(40 + n),
      createdBy,
      relatedContacts:
        role === 'student'
          ? [{ displayName: `Parent of ${given}`, emailAddress: `parent.${tag}@mail.example`, mobilePhone: '+1 425 555 0199', relationship: 'parent', accessConsent: true }]
          : [],
    }),
  });
  await w.tx.insertInto('credentials').values({ user_id: u.id, password_hash: passwordHash, failed_attempts: 0, locked_until: null }).execute();
  return u;
}
