// Account operations: reset and change password, enable, disable, unlock. Each is an operation the REST API may
// have switched off, and each needs its own permission over the account.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashSecret, verifyPassword } from '../directory/credentials.js';
import type { Directory } from '../directory/directory.js';
import type { DirObject, Props } from '../directory/model.js';
import { setPasswordHash, unlockAccount } from '../directory/on-prem.js';
import { dirOf } from '../tenants/request-tenant.js';
import { requireOperation, requireRight, visibleObject } from './access.js';
import { badRequest } from './errors.js';
import { asOperation, failed, succeeded } from './operation-result.js';
import { jsonBody } from './wire.js';

export async function accountRoutes(app: FastifyInstance) {
  const account = async (dir: Directory, req: FastifyRequest, raw: string, field = 'directoryObject') => {
    const obj = await visibleObject(dir, req, raw, field);
    if (obj.type !== 'user' && obj.type !== 'device') throw badRequest(`The object '${raw}' is not an account (user or computer).`);
    return obj;
  };
  const setEnabled = (dir: Directory, obj: DirObject, enabled: boolean) =>
    asOperation(obj.dn, async () => {
      await dir.write(async (w) => {
        const current = (await w.load(obj.id)) ?? obj;
        if (current.props.accountEnabled !== enabled) await w.replaceProps(current, { ...current.props, accountEnabled: enabled });
      });
      return succeeded(obj.dn);
    });
  const single = { directoryObject: { kind: 'string', required: true } } as const;

  app.post('/api/directoryObjects/account/enable', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'EnableAccount');
    const obj = await account(dir, req, jsonBody<{ directoryObject: string }>(req, single).directoryObject);
    await requireRight(req, 'enableDisableAccount', obj, 'enable the account');
    return setEnabled(dir, obj, true);
  });
  app.post('/api/directoryObjects/account/disable', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'DisableAccount');
    const obj = await account(dir, req, jsonBody<{ directoryObject: string }>(req, single).directoryObject);
    await requireRight(req, 'enableDisableAccount', obj, 'disable the account');
    return setEnabled(dir, obj, false);
  });
  app.post('/api/directoryObjects/account/unlock', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'UnlockAccount');
    const obj = await account(dir, req, jsonBody<{ directoryObject: string }>(req, single).directoryObject);
    await requireRight(req, 'unlockAccount', obj, 'unlock the account');
    return asOperation(obj.dn, async () => {
      await dir.write((w) => unlockAccount(w, obj.id));
      return succeeded(obj.dn);
    });
  });

  app.post('/api/directoryObjects/resetPassword', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'ResetPassword');
    const body = jsonBody<{ directoryObject: string; password: string; options?: Props; unlockAccount?: boolean }>(req, {
      directoryObject: { kind: 'string', required: true },
      password: { kind: 'string', required: true },
      options: { kind: 'object' },
      unlockAccount: { kind: 'boolean' },
    });
    const obj = await account(dir, req, body.directoryObject);
    if (obj.type !== 'user') throw badRequest(`The object '${body.directoryObject}' is not a user.`);
    const neverExpires = body.options?.passwordNeverExpires;
    await requireRight(req, 'resetPassword', obj, 'reset the password of');
    if (body.unlockAccount) await requireRight(req, 'unlockAccount', obj, 'unlock the account');
    if (typeof neverExpires === 'boolean') await requireRight(req, 'writeProperty', obj, 'change the account options of', 'userAccountControl');
    return asOperation(obj.dn, async () => {
      const hash = await hashSecret(body.password);
      await dir.write(async (w) => {
        await setPasswordHash(w, obj.id, hash);
        if (body.unlockAccount) await unlockAccount(w, obj.id);
        if (typeof neverExpires === 'boolean') {
          const current = (await w.load(obj.id)) ?? obj;
          const policies = String(current.props.passwordPolicies ?? '')
            .split(',')
            .map((p) => p.trim())
            .filter((p) => p && p !== 'DisablePasswordExpiration');
          if (neverExpires) policies.push('DisablePasswordExpiration');
          await w.replaceProps(current, { ...current.props, passwordPolicies: policies.length ? policies.join(', ') : null });
        }
      });
      return succeeded(obj.dn);
    });
  });

  // Off by default: "By default, password change via REST API is not allowed" (REST_ChangePassword).
  app.post('/api/directoryObjects/changePassword', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'ChangePassword');
    const body = jsonBody<{ directoryObject: string; oldPassword: string; newPassword: string }>(req, {
      directoryObject: { kind: 'string', required: true },
      oldPassword: { kind: 'string', required: true },
      newPassword: { kind: 'string', required: true },
    });
    const obj = await account(dir, req, body.directoryObject);
    if (obj.type !== 'user') throw badRequest(`The object '${body.directoryObject}' is not a user.`);
    await requireRight(req, 'changePassword', obj, 'change the password of');
    const check = await verifyPassword(dir.store, obj.id, body.oldPassword);
    if (!check.ok) return failed(obj.dn, check.reason === 'locked' ? 'The referenced account is currently locked out and may not be logged on to.' : 'The specified network password is not correct.');
    const hash = await hashSecret(body.newPassword);
    return asOperation(obj.dn, async () => {
      await dir.write((w) => setPasswordHash(w, obj.id, hash));
      return succeeded(obj.dn);
    });
  });
}
