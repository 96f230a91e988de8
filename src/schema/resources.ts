// Typed access to the generated capability table (src/schema/resources.generated.json, written by
// scripts/generate-schema.ts from the CSDL and the seed pages). Nothing here is hand-typed.
import data from './resources.generated.json' with { type: 'json' };

export type FilterOp = 'eq' | 'ne' | 'not' | 'gt' | 'ge' | 'lt' | 'le' | 'in' | 'startsWith' | 'endsWith' | 'eqNull' | 'count';
export type TypeKind = 'primitive' | 'complex' | 'enum';

export interface MemberMeta {
  name: string;
  /** `Edm.String`, `Edm.Guid`, … for primitives; the bare type name for complex and enum types. */
  type: string;
  kind: TypeKind;
  collection: boolean;
  nullable: boolean;
}

export interface PropertyMeta extends MemberMeta {
  /** Declared only by the seed on an open type (device extensionAttributes). */
  open?: boolean;
  filter: FilterOp[];
  search: boolean;
  orderby: boolean;
  orderbyAdvanced: boolean;
  defaultSelect: boolean;
  selectable: boolean;
  /** Operators needing ConsistencyLevel + $count=true on this property beyond the global list. */
  advanced: FilterOp[];
  /** Same, for members of a complex property (`alternativeSecurityIds/any(a:a/type ge 1)`). */
  memberAdvanced?: Record<string, FilterOp[]>;
  documented: boolean;
}

export interface NavigationMeta {
  name: string;
  type: string;
  collection: boolean;
}

export interface ResourceMeta {
  name: string;
  entityType: string;
  odataType: string;
  baseTypes: string[];
  openType: boolean;
  directoryBacked: boolean;
  properties: Record<string, PropertyMeta>;
  navigation: Record<string, NavigationMeta>;
}

export interface ComplexTypeMeta {
  name: string;
  openType: boolean;
  properties: Record<string, MemberMeta>;
}

interface SchemaData {
  advancedOperators: FilterOp[];
  resources: Record<string, ResourceMeta>;
  complexTypes: Record<string, ComplexTypeMeta>;
  enumTypes: Record<string, { name: string; members: string[]; flags: boolean }>;
}

const schema = data as unknown as SchemaData;

export type ResourceName =
  | 'directoryObject'
  | 'user'
  | 'group'
  | 'device'
  | 'administrativeUnit'
  | 'orgContact'
  | 'servicePrincipal'
  | 'educationUser'
  | 'educationClass'
  | 'educationSchool'
  | 'usageRight'
  | 'organization'
  | 'domain';

/** Operators that need advanced query parameters on every property (graph-notes §2). */
export const advancedOperators: readonly FilterOp[] = schema.advancedOperators;

export function hasResource(name: string): name is ResourceName {
  return Object.prototype.hasOwnProperty.call(schema.resources, name);
}

export function resource(name: string): ResourceMeta {
  if (!hasResource(name)) throw new Error(`unknown resource '${name}'`);
  return schema.resources[name];
}

export function complexType(name: string): ComplexTypeMeta | undefined {
  return Object.prototype.hasOwnProperty.call(schema.complexTypes, name) ? schema.complexTypes[name] : undefined;
}

/** A top-level property of a resource, case-sensitive as Graph's $select and $filter are. */
export function topProperty(resourceName: string, name: string): PropertyMeta | undefined {
  const props = resource(resourceName).properties;
  return Object.prototype.hasOwnProperty.call(props, name) ? props[name] : undefined;
}

export interface ResolvedPath {
  /** The top-level property, which carries the capabilities. */
  top: PropertyMeta;
  /** The member reached by the path (the top property itself for a one-segment path). */
  leaf: MemberMeta;
  /** Path below the top property, e.g. ['extensionAttribute1']. */
  members: string[];
}

/** Resolves `extensionAttributes/extensionAttribute1` or `assignedLicenses/skuId` (member of a collection). */
export function property(resourceName: string, path: string | string[]): ResolvedPath | undefined {
  const segments = typeof path === 'string' ? path.split('/') : path;
  const top = topProperty(resourceName, segments[0]);
  if (!top) return undefined;
  let leaf: MemberMeta = top;
  for (const seg of segments.slice(1)) {
    if (leaf.kind !== 'complex') return undefined;
    const ct = complexType(leaf.type);
    if (!ct || !Object.prototype.hasOwnProperty.call(ct.properties, seg)) return undefined;
    leaf = ct.properties[seg];
  }
  return { top, leaf, members: segments.slice(1) };
}

const defaultSelects = new Map<string, readonly string[]>();

/** Properties Graph returns without $select, in CSDL order (computed once per resource: the table is constant). */
export function defaultSelect(resourceName: string): readonly string[] {
  let names = defaultSelects.get(resourceName);
  if (!names) {
    names = Object.freeze(
      Object.values(resource(resourceName).properties)
        .filter((p) => p.defaultSelect)
        .map((p) => p.name),
    );
    defaultSelects.set(resourceName, names);
  }
  return names;
}

export function selectableProperties(resourceName: string): string[] {
  return Object.values(resource(resourceName).properties)
    .filter((p) => p.selectable)
    .map((p) => p.name);
}

/** The name Graph's error messages use for the resource: 'Group', 'Device'. */
export function resourceDisplayName(resourceName: string): string {
  return resourceName.charAt(0).toUpperCase() + resourceName.slice(1);
}
