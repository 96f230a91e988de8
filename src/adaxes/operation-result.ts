// OperationResult, the reply to every write: resultType 0 succeeded, 1 failed (with exception.message).
// A failed operation is still a processed request, so it comes back as 200 with resultType 1; HTTP errors are kept
// for requests that cannot be processed at all (malformed input 400, unknown object 404, bad token 401).
import { DirectoryError } from '../directory/model.js';

export interface OperationResult {
  resultType: 0 | 1 | 2;
  innerMessages: { source: string | null; text: string; messageType: number; innerMessages: unknown[] }[];
  exception: { message: string } | null;
  actualObjectDN: string | null;
  extraInfo: Record<string, unknown>;
}

export const succeeded = (dn: string | null, extraInfo: Record<string, unknown> = {}): OperationResult => ({
  resultType: 0,
  innerMessages: [],
  exception: null,
  actualObjectDN: dn,
  extraInfo,
});

export const failed = (dn: string | null, message: string): OperationResult => ({
  resultType: 1,
  innerMessages: [],
  exception: { message },
  actualObjectDN: dn,
  extraInfo: {},
});

/** A business-rule failure of the core (invalid, conflict, forbidden) becomes a failed result; anything else propagates. */
export async function asOperation(dn: string | null, run: () => Promise<OperationResult>): Promise<OperationResult> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DirectoryError && err.kind !== 'notFound') return failed(dn, err.message);
    if (err instanceof OperationFailure) return failed(dn, err.message);
    throw err;
  }
}

/** Thrown inside a write to abandon it (rolling back) and report a failed operation. */
export class OperationFailure extends Error {}
