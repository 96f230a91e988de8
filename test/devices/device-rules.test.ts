// The device write rules in the core, without a store: which properties are writable, how values are checked,
// and how extensionAttributes merge.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EXTENSION_ATTRIBUTE_NAMES, isWindows, mergeExtensionAttributes, parseDeviceBody } from '../../src/directory/devices.js';
import { DirectoryError } from '../../src/directory/model.js';
import { resource } from '../../src/schema/resources.js';

const WRITABLE = ['accountEnabled', 'alternativeSecurityIds', 'deviceMetadata', 'deviceVersion', 'displayName', 'extensionAttributes', 'isCompliant', 'isManaged', 'operatingSystem', 'operatingSystemVersion', 'physicalIds', 'profileType'];

/** A value of the right type for each property, to isolate the writability rule. */
const SAMPLE: Record<string, unknown> = {
  accountEnabled: true,
  alternativeSecurityIds: [],
  deviceMetadata: 'm',
  deviceVersion: 3,
  displayName: 'd',
  extensionAttributes: {},
  isCompliant: true,
  isManaged: true,
  operatingSystem: 'Windows',
  operatingSystemVersion: '10',
  physicalIds: [],
  profileType: 'Shared',
  deviceId: '6f1c1b8e-3c0a-4a7e-9a55-1d2c3b4a5f60',
};

const rejection = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(DirectoryError);
    return (e as DirectoryError).message;
  }
};

describe('device write rules', () => {
  test('every CSDL device property is either writable or refused as read-only', () => {
    for (const name of Object.keys(resource('device').properties)) {
      const message = rejection(() => parseDeviceBody({ [name]: SAMPLE[name] ?? 'x' }, 'update'));
      if (WRITABLE.includes(name)) expect(message, name).toBeUndefined();
      else expect(message, name).toBe(`Property '${name}' is read-only and cannot be set.`);
    }
    expect(rejection(() => parseDeviceBody({ deviceId: SAMPLE.deviceId }, 'create'))).toBeUndefined();
  });

  test('names outside the device type are invalid, whatever their value', () => {
    const known = new Set(Object.keys(resource('device').properties));
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((k) => !known.has(k) && !k.startsWith('@') && k !== '__proto__'),
        fc.jsonValue(),
        (name, value) => {
          expect(rejection(() => parseDeviceBody({ [name]: value }, 'update'))).toBe(`Invalid property '${name}'.`);
        },
      ),
    );
  });

  test('extensionAttributes merge: named attributes change, the others keep their values, always 15 keys', () => {
    const attr = fc.constantFrom(...EXTENSION_ATTRIBUTE_NAMES);
    const value = fc.option(fc.string(), { nil: null });
    fc.assert(
      fc.property(fc.dictionary(attr, value), fc.dictionary(attr, value), (current, delta) => {
        const merged = mergeExtensionAttributes(current, delta);
        expect(Object.keys(merged)).toEqual(EXTENSION_ATTRIBUTE_NAMES);
        for (const n of EXTENSION_ATTRIBUTE_NAMES) expect(merged[n]).toBe(n in delta ? delta[n] : (current[n] ?? null));
      }),
    );
  });

  test('profileType is one of the deviceProfileType members, stored in their own casing', () => {
    expect(parseDeviceBody({ profileType: 'securevm' }, 'update').get('profileType')).toBe('SecureVM');
    expect(rejection(() => parseDeviceBody({ profileType: 'Phone' }, 'update'))).toMatch(/profileType/);
  });

  test('Windows is recognised whatever its case, nothing else is', () => {
    expect(isWindows('Windows')).toBe(true);
    expect(isWindows('windows')).toBe(true);
    for (const os of ['iOS', 'Android', 'macOS', 'Linux', 'Windows Server', null, undefined]) expect(isWindows(os)).toBe(false);
  });
});
