// Adaxes' error vocabulary: every failure reaches the client as {message, code[, modelState][, innerError]}.
import { DirectoryError } from '../directory/model.js';
import { QueryTimeout, StoreUnavailable } from '../store/faults.js';

export class AdaxesError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...this.extra };
  }
}

export type ModelState = Record<string, string[]>;

export const unauthenticated = () => new AdaxesError(401, 'The provided authentication token is either expired or invalid.', 'unauthenticated');

/** 400 in ASP.NET Web API's model-validation shape. */
export const invalidModel = (modelState: ModelState) => new AdaxesError(400, 'The request is invalid.', 'invalidRequest', { modelState });

export const badRequest = (message: string) => new AdaxesError(400, message, 'badRequest');

export const noSuchObject = (identifier: string) =>
  new AdaxesError(404, `There is no such object on the server. Object '${identifier}' was not found.`, 'notFound');

export const routeNotFound = (path: string) => new AdaxesError(404, `No HTTP resource was found that matches the request URI '${path}'.`, 'notFound');

/** Maps anything thrown while serving /api to an AdaxesError; unknown failures become 500 without detail. */
export function toAdaxesError(err: unknown): AdaxesError {
  if (err instanceof AdaxesError) return err;
  if (err instanceof StoreUnavailable) return new AdaxesError(503, 'The service is temporarily unavailable. Please retry later.', 'serviceUnavailable');
  if (err instanceof QueryTimeout) return new AdaxesError(504, err.message, 'timeout');
  if (err instanceof DirectoryError) {
    if (err.kind === 'notFound') return new AdaxesError(404, err.message, 'notFound');
    if (err.kind === 'forbidden') return new AdaxesError(403, err.message, 'forbidden');
    if (err.kind === 'conflict') return new AdaxesError(409, err.message, 'conflict');
    return badRequest(err.message);
  }
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return invalidModel({ request: [e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'The request body is empty.' : `The request body is not valid JSON: ${e.message ?? ''}`.trim()] });
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new AdaxesError(415, "The request entity's media type is not supported for this resource. Send Content-Type: application/json.", 'unsupportedMediaType');
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AdaxesError(413, 'The request body is too large.', 'requestEntityTooLarge');
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) return badRequest(e.message ?? 'Bad request.');
  return new AdaxesError(500, 'An error has occurred.', 'internalError');
}
