// Account operations: reset password, enable, disable, unlock.
import type { FastifyInstance } from 'fastify';
import { hashSecret } from '../directory/credentials.js';
import type { Directory } from '../directory/directory.js';
import type { DirObject, Props } from '../directory/model.js';
import { setPasswordHash, unlockAccount } from '../directory/on-prem.js';
import { badRequest } from './errors.js';
import { asOperation, succeeded } from './operation-result.js';
import { resolveObject } from './resolve.js';
import { jsonBody } from './wire.js';

export async function accountRoutes(app: FastifyInstance, deps: { dir: Directory }) {
  const { dir } = deps;
  const account = async (raw: string, field = 'directoryObject') => {
    const obj = await resolveObject(dir, raw, field);
    if (obj.type !== 'user' && obj.type !== 'device') throw badRequest(`The object '${raw}' is not an account (user or computer).`);
    return obj;
  };
  const setEnabled = (obj: DirObject, enabled: boolean) =>
    asOperation(obj.dn, async () => {
      await dir.write(async (w) => {
        const current = (await w.load(obj.id)) ?? obj;
        if (current.props.accountEnabled !== enabled) await w.replaceProps(current, { ...current.props, accountEnabled: enabled });
      });
      return succeeded(obj.dn);
    });

  app.post('/api/directoryObjects/account/enable', async (req) => {
    const body = jsonBody<{ directoryObject: string }>(req, { directoryObject: { kind: 'string', required: true } });
    return setEnabled(await account(body.directoryObject), true);
  });
  app.post('/api/directoryObjects/account/disable', async (req) => {
    const body = jsonBody<{ directoryObject: string }>(req, { directoryObject: { kind: 'string', required: true } });
    return setEnabled(await account(body.directoryObject), false);
  });
  app.post('/api/directoryObjects/account/unlock', async (req) => {
    const body = jsonBody<{ directoryObject: string }>(req, { directoryObject: { kind: 'string', required: true } });
    const obj = await account(body.directoryObject);
    return asOperation(obj.dn, async () => {
      await dir.write((w) => unlockAccount(w, obj.id));
      return succeeded(obj.dn);
    });
  });

  app.post('/api/directoryObjects/resetPassword', async (req) => {
    const body = jsonBody<{ directoryObject: string; password: string; options?: Props; unlockAccount?: boolean }>(req, {
      directoryObject: { kind: 'string', required: true },
      password: { kind: 'string', required: true },
      options: { kind: 'object' },
      unlockAccount: { kind: 'boolean' },
    });
    const obj = await account(body.directoryObject);
    if (obj.type !== 'user') throw badRequest(`The object '${body.directoryObject}' is not a user.`);
    return asOperation(obj.dn, async () => {
      const hash = await hashSecret(body.password);
      const neverExpires = body.options?.passwordNeverExpires;
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
}
