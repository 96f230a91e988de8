// The tenant itself as Graph's organization and domain entities: derived from the tenant's identity (its id, name
// and verified domain), so every node answers the same without state of its own.
import type { Props } from './model.js';
import type { TenantInfo } from './directory.js';

/** A tenant's initial domain: the *.onmicrosoft.com name every Microsoft Entra tenant is created with. */
export function initialDomain(tenant: TenantInfo): string {
  return `${tenant.domain.split('.')[0].replace(/[^a-z0-9]/gi, '').toLowerCase()}.onmicrosoft.com`;
}

export function domainsOf(tenant: TenantInfo): Props[] {
  const domain = (id: string, isDefault: boolean, isInitial: boolean): Props => ({
    id,
    authenticationType: 'Managed',
    availabilityStatus: null,
    isAdminManaged: true,
    isDefault,
    isInitial,
    isRoot: true,
    isVerified: true,
    manufacturer: null,
    model: null,
    passwordNotificationWindowInDays: 14,
    passwordValidityPeriodInDays: 2147483647,
    state: null,
    supportedServices: isInitial ? ['Email', 'OfficeCommunicationsOnline'] : ['Email', 'OfficeCommunicationsOnline', 'Intune'],
  });
  return [domain(tenant.domain, true, false), domain(initialDomain(tenant), false, true)];
}

export function organizationOf(tenant: TenantInfo): Props {
  return {
    id: tenant.id,
    deletedDateTime: null,
    assignedPlans: [],
    businessPhones: [],
    city: null,
    country: null,
    countryLetterCode: 'US',
    createdDateTime: null,
    defaultUsageLocation: null,
    displayName: tenant.displayName,
    marketingNotificationEmails: [],
    mobileDeviceManagementAuthority: 'unknown',
    onPremisesLastSyncDateTime: null,
    onPremisesSyncEnabled: null,
    partnerTenantType: null,
    postalCode: null,
    preferredLanguage: 'en',
    privacyProfile: null,
    provisionedPlans: [],
    securityComplianceNotificationMails: [],
    securityComplianceNotificationPhones: [],
    state: null,
    street: null,
    technicalNotificationMails: [],
    tenantType: 'AAD',
    verifiedDomains: domainsOf(tenant).map((d) => ({
      capabilities: d.isInitial ? 'Email, OfficeCommunicationsOnline' : 'Email, OfficeCommunicationsOnline, Intune',
      isDefault: d.isDefault,
      isInitial: d.isInitial,
      name: d.id,
      type: 'Managed',
    })),
  };
}
