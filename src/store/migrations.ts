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

/**
 * skus.consumed_units: the number of license_assignments rows of each SKU, so reading a subscription never counts
 * assignments (at 100,000 users that count dominated every license read). Triggers keep it, so it changes in the
 * very statement, and therefore the very serialised write transaction, that inserts, deletes or moves an
 * assignment, whichever code path writes the rows; a SKU row inserted later starts from the real count.
 */
function consumedUnits(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('skus').addColumn('consumed_units', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await sql`update skus set consumed_units = (select count(*) from license_assignments a where a.sku_id = skus.sku_id)`.execute(db);
      if (engine === 'sqlite') {
        await sql`create trigger license_assignments_counted_insert after insert on license_assignments
          begin update skus set consumed_units = consumed_units + 1 where sku_id = new.sku_id; end`.execute(db);
        await sql`create trigger license_assignments_counted_delete after delete on license_assignments
          begin update skus set consumed_units = consumed_units - 1 where sku_id = old.sku_id; end`.execute(db);
        await sql`create trigger license_assignments_counted_update after update of sku_id on license_assignments when old.sku_id is not new.sku_id
          begin
            update skus set consumed_units = consumed_units - 1 where sku_id = old.sku_id;
            update skus set consumed_units = consumed_units + 1 where sku_id = new.sku_id;
          end`.execute(db);
        await sql`create trigger skus_counted_insert after insert on skus
          begin update skus set consumed_units = (select count(*) from license_assignments a where a.sku_id = new.sku_id) where sku_id = new.sku_id; end`.execute(db);
        return;
      }
      // Statement-level with transition tables: a bulk insert of N assignments updates each SKU row once, not N
      // times (N row versions of one SKU row inside one transaction would make every later update slower).
      await sql`create function license_assignments_counted() returns trigger language plpgsql as $$
        begin
          if tg_op in ('DELETE', 'UPDATE') then
            update skus s set consumed_units = s.consumed_units - o.n from (select sku_id, count(*) as n from old_rows group by sku_id) o where s.sku_id = o.sku_id;
          end if;
          if tg_op in ('INSERT', 'UPDATE') then
            update skus s set consumed_units = s.consumed_units + i.n from (select sku_id, count(*) as n from new_rows group by sku_id) i where s.sku_id = i.sku_id;
          end if;
          return null;
        end $$`.execute(db);
      await sql`create trigger license_assignments_counted_insert after insert on license_assignments
        referencing new table as new_rows for each statement execute function license_assignments_counted()`.execute(db);
      await sql`create trigger license_assignments_counted_delete after delete on license_assignments
        referencing old table as old_rows for each statement execute function license_assignments_counted()`.execute(db);
      await sql`create function license_assignments_counted_update() returns trigger language plpgsql as $$
        begin
          update skus s set consumed_units = s.consumed_units + d.n
            from (select sku_id, sum(n) as n from (
                    select sku_id, -count(*) as n from old_rows group by sku_id
                    union all select sku_id, count(*) as n from new_rows group by sku_id) x
                  group by sku_id having sum(n) <> 0) d
            where s.sku_id = d.sku_id;
          return null;
        end $$`.execute(db);
      await sql`create trigger license_assignments_counted_update after update on license_assignments
        referencing old table as old_rows new table as new_rows for each statement execute function license_assignments_counted_update()`.execute(db);
      await sql`create function skus_counted() returns trigger language plpgsql as $$
        begin
          new.consumed_units := (select count(*) from license_assignments a where a.sku_id = new.sku_id);
          return new;
        end $$`.execute(db);
      await sql`create trigger skus_counted_insert before insert on skus for each row execute function skus_counted()`.execute(db);
    },
  };
}

/**
 * On SQLite, object_index becomes a WITHOUT ROWID table: its primary key was a second copy of every row beside the
 * rowid table, and every row is reached by that key anyway. One b-tree fewer to write per index row (about 80 per
 * user) and a smaller file. The rows are copied in key order, so the new tree is built by appending.
 * PostgreSQL has no rowid; its table stays as it is.
 */
function indexWithoutRowid(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      if (engine !== 'sqlite') return;
      await sql`create table object_index_keyed (
        resource text not null, prop text not null, value text not null, object_id text not null,
        constraint object_index_pk primary key (resource, prop, value, object_id)) without rowid`.execute(db);
      await sql`insert into object_index_keyed (resource, prop, value, object_id)
        select resource, prop, value, object_id from object_index order by resource, prop, value, object_id`.execute(db);
      await sql`drop table object_index`.execute(db);
      await sql`alter table object_index_keyed rename to object_index`.execute(db);
      await db.schema.createIndex('object_index_object').on('object_index').columns(['object_id', 'resource', 'prop']).execute();
    },
  };
}

/**
 * Removed links, for delta's members@delta: a link's addition is its own row's seq, but a removed link leaves no row.
 * Only removals are logged, so bulk loads (which only add) cost nothing more.
 */
function linkRemovals(engine: Engine): Migration {
  const key = textKey(engine);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('link_removals')
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('source_id', key, (c) => c.notNull())
        .addColumn('target_id', key, (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('link_removals_pk', ['kind', 'source_id', 'seq', 'target_id'])
        .execute();
    },
  };
}

/**
 * Identity: certificates and further secrets on app registrations (JSON lists on the app row), the scopes each user
 * consented to per app, and the directory roles activated in the tenant with their members.
 */
function identity(engine: Engine): Migration {
  const key = textKey(engine);
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('apps').addColumn('key_credentials', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      await db.schema.alterTable('apps').addColumn('password_credentials', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      await db.schema
        .createTable('consents')
        .addColumn('user_id', key, (c) => c.notNull())
        .addColumn('client_id', key, (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('directory_roles')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('template_id', key, (c) => c.notNull().unique())
        .execute();
      await db.schema
        .createTable('directory_role_members')
        .addColumn('role_id', key, (c) => c.notNull())
        .addColumn('member_id', key, (c) => c.notNull())
        .addPrimaryKeyConstraint('directory_role_members_pk', ['role_id', 'member_id'])
        .execute();
      await db.schema.createIndex('directory_role_members_member').on('directory_role_members').columns(['member_id', 'role_id']).execute();
    },
  };
}

/**
 * The redirect URIs registered on an app, per platform as Graph's application resource has them (web.redirectUris,
 * spa.redirectUris, publicClient.redirectUris): JSON string lists on the app row. An app with none keeps the
 * loopback-and-own-origin rule the authorization endpoint applied before URIs could be registered.
 */
function appRedirectUris(): Migration {
  return {
    async up(db: Kysely<any>) {
      for (const column of ['web_redirect_uris', 'spa_redirect_uris', 'public_client_redirect_uris'])
        await db.schema.alterTable('apps').addColumn(column, 'text', (c) => c.notNull().defaultTo('[]')).execute();
    },
  };
}

/** The tenants a server created at run time beside the one it serves, so a restart serves them again. */
function tenants(engine: Engine): Migration {
  const key = textKey(engine);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('fixture', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * The compact index: every object gets an integer row key, and an index row becomes (integer key of resource and
 * property, value, row key). The text names and the 36-character object id were three quarters of each row, stored
 * twice (the key order and the by-object order): 668 MB of a 1.1 GB store at 100,000 objects, 245 MB after.
 * The old rows are dropped, not converted: clearing the recorded capability table makes the start-up check
 * (src/directory/index-version.ts, meta key 'index.capability-table') rebuild every object's rows from its document.
 */
function compactIndex(engine: Engine): Migration {
  const sqlite = engine === 'sqlite';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('objects').addColumn('row_key', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      if (sqlite) await sql`update objects set row_key = rowid`.execute(db);
      else await sql`update objects o set row_key = r.n from (select id, row_number() over (order by created_seq, id) as n from objects) r where r.id = o.id`.execute(db);
      await db.schema.createIndex('objects_row_key').on('objects').column('row_key').unique().execute();
      await sql`drop table object_index`.execute(db);
      await sql`drop table if exists object_index_load`.execute(db);
      await sql`create table object_index (
        prop_key integer not null, value ${textKey(engine)} not null, object_key integer not null,
        constraint object_index_pk primary key (prop_key, value, object_key)) ${sql.raw(sqlite ? 'without rowid' : '')}`.execute(db);
      await db.schema.createIndex('object_index_object').on('object_index').columns(['object_key', 'prop_key']).execute();
      await sql`delete from meta where key = 'index.capability-table'`.execute(db);
    },
  };
}

/**
 * PostgreSQL writes a changed object as a new row version; with room left on its page (and no index on the
 * changed column) the indexes are left alone. Packed full, every stamp of a version (each membership change marks
 * both ends) rewrote the row into a new page and added an entry to each of the table's eight indexes: 3.7 s of a
 * 100k-user load for 115,000 stamps, 2.3 s with a page a sixth empty. New pages take the setting; SQLite has none.
 */
function objectsFillfactor(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      if (engine === 'postgres') await sql`alter table objects set (fillfactor = 85)`.execute(db);
    },
  };
}

export function migrationProvider(engine: Engine): MigrationProvider {
  return {
    getMigrations: async () => ({
      '001_initial': initial(engine),
      '002_consumed_units': consumedUnits(engine),
      '003_object_index_without_rowid': indexWithoutRowid(engine),
      '004_link_removals': linkRemovals(engine),
      '005_identity': identity(engine),
      '006_app_redirect_uris': appRedirectUris(),
      '007_tenants': tenants(engine),
      '008_compact_index': compactIndex(engine),
      '009_objects_fillfactor': objectsFillfactor(engine),
    }),
  };
}
