// Conversions between stored rows and core objects.
import type { ObjectsTable } from '../store/schema.js';
import type { DirObject, Facet, ObjectType } from './model.js';

export function toObject(row: ObjectsTable): DirObject {
  return {
    id: row.id,
    type: row.type as ObjectType,
    facet: (row.facet as Facet | null) ?? null,
    dn: row.dn,
    objectGuid: row.object_guid,
    sid: row.sid,
    props: JSON.parse(row.props) as Record<string, unknown>,
    version: Number(row.version),
  };
}
