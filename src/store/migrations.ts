// The schema, expressed once. Text columns that take part in keyset ordering use the "C" collation on
// PostgreSQL so that both engines order them byte-wise, the same way.
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import type { Engine } from './schema.js';

function textKey(engine: Engine) {
  return engine === 'postgres' ? sql`text collate "C"` : sql`text`;
}

function initial(engine: Engine): Migration {
  const key = textKey(engine);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('objects')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('facet', 'text')
        .addColumn('dn', 'text')
        .addColumn('dn_key', 'text')
        .addColumn('object_guid', 'text')
        .addColumn('sid', 'text')
        .addColumn('alt_key', key)
        .addColumn('props', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('created_seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('objects_type_id').on('objects').columns(['type', 'id']).execute();
      await db.schema.createIndex('objects_facet_id').on('objects').columns(['facet', 'id']).execute();
      await db.schema.createIndex('objects_dn_key').on('objects').column('dn_key').unique().execute();
      await db.schema.createIndex('objects_guid').on('objects').column('object_guid').unique().execute();
      await db.schema.createIndex('objects_sid').on('objects').column('sid').unique().execute();
      await db.schema.createIndex('objects_alt_key').on('objects').columns(['type', 'alt_key']).unique().execute();

      await db.schema
        .createTable('object_index')
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('prop', 'text', (c) => c.notNull())
        .addColumn('value', key, (c) => c.notNull())
        .addColumn('object_id', key, (c) => c.notNull())
        .addPrimaryKeyConstraint('object_index_pk', ['resource', 'prop', 'value', 'object_id'])
        .execute();
      await db.schema.createIndex('object_index_object').on('object_index').columns(['object_id', 'resource', 'prop']).execute();

      await db.schema
        .createTable('links')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('source_id', key, (c) => c.notNull())
        .addColumn('target_id', key, (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('links_pk', ['kind', 'source_id', 'target_id'])
        .execute();
      await db.schema.createIndex('links_target').on('links').columns(['kind', 'target_id', 'source_id']).execute();

      await db.schema
        .createTable('change_log')
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('object_id', key, (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('facet', 'text')
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('change_log_pk', ['seq', 'object_id'])
        .execute();
      await db.schema.createIndex('change_log_type_seq').on('change_log').columns(['type', 'seq', 'object_id']).execute();
      await db.schema.createIndex('change_log_facet_seq').on('change_log').columns(['facet', 'seq', 'object_id']).execute();
      await db.schema.createIndex('change_log_object_seq').on('change_log').columns(['object_id', 'seq']).execute();

      await db.schema
        .createTable('skus')
        .addColumn('sku_id', key, (c) => c.primaryKey())
        .addColumn('sku_part_number', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('applies_to', 'text', (c) => c.notNull())
        .addColumn('capability_status', 'text', (c) => c.notNull())
        .addColumn('prepaid_enabled', 'integer', (c) => c.notNull())
        .addColumn('prepaid_suspended', 'integer', (c) => c.notNull())
        .addColumn('prepaid_warning', 'integer', (c) => c.notNull())
        .addColumn('prepaid_locked_out', 'integer', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('account_name', 'text', (c) => c.notNull())
        .addColumn('subscription_ids', 'text', (c) => c.notNull())
        .addColumn('service_plans', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('license_assignments')
        .addColumn('user_id', key, (c) => c.notNull())
        .addColumn('sku_id', key, (c) => c.notNull())
        .addColumn('disabled_plans', 'text', (c) => c.notNull())
        .addColumn('assigned_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('license_assignments_pk', ['user_id', 'sku_id'])
        .execute();
      await db.schema.createIndex('license_assignments_sku').on('license_assignments').columns(['sku_id', 'user_id']).execute();

      await db.schema
        .createTable('usage_rights')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('device_id', key, (c) => c.notNull())
        .addColumn('catalog_id', 'text', (c) => c.notNull())
        .addColumn('service_identifier', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('usage_rights_device').on('usage_rights').columns(['device_id', 'id']).execute();

      await db.schema
        .createTable('apps')
        .addColumn('client_id', key, (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('service_principal_id', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('app_roles', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('public_client', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('credentials')
        .addColumn('user_id', key, (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('failed_attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('token_hash', key, (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tokens_user').on('tokens').columns(['user_id', 'kind']).execute();

      await db.schema
        .createTable('meta')
        .addColumn('key', key, (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

export function migrationProvider(engine: Engine): MigrationProvider {
  return { getMigrations: async () => ({ '001_initial': initial(engine) }) };
}
