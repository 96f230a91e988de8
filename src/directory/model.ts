// The core's vocabulary: directory objects as the rest of the server sees them.
export type ObjectType = 'user' | 'group' | 'device' | 'administrativeUnit' | 'orgContact' | 'servicePrincipal';
export type Facet = 'educationUser' | 'educationClass' | 'educationSchool';
/** `manager` runs from a user to their manager (Graph's user.manager; directReports read it backwards). */
export type LinkKind = 'member' | 'owner' | 'registeredOwner' | 'registeredUser' | 'schoolClass' | 'manager';

export const OBJECT_TYPES: readonly ObjectType[] = ['user', 'group', 'device', 'administrativeUnit', 'orgContact', 'servicePrincipal'];

export type Props = Record<string, unknown>;

export interface DirObject {
  id: string;
  type: ObjectType;
  facet: Facet | null;
  dn: string | null;
  objectGuid: string | null;
  sid: string | null;
  props: Props;
  version: number;
}

export interface NewObject {
  id?: string;
  type: ObjectType;
  facet?: Facet | null;
  dn?: string | null;
  objectGuid?: string | null;
  sid?: string | null;
  props: Props;
}

/** Errors the core raises; each face maps them to its own wire shape. */
export class DirectoryError extends Error {
  constructor(
    readonly kind: 'notFound' | 'invalid' | 'conflict' | 'limit' | 'forbidden',
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The resources (query targets) an object is indexed and listed under. */
export function resourcesOf(type: ObjectType, facet: Facet | null): string[] {
  return facet ? [type, facet] : [type];
}

/** The alternate key kept unique per type: userPrincipalName, deviceId, appId. */
export function altKeyOf(type: ObjectType, props: Props): string | null {
  const v = type === 'user' ? props.userPrincipalName : type === 'device' ? props.deviceId : type === 'servicePrincipal' ? props.appId : null;
  return typeof v === 'string' && v ? v.toLowerCase() : null;
}
