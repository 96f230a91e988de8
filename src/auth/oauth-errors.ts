// Entra's token-endpoint errors: the OAuth error, the AADSTS code and text (Learn:
// identity-platform/reference-error-codes.md), `suberror` where Entra sends one (MSAL turns consent_required and
// the other interaction suberrors into InteractionRequiredAuthError), and the trace, correlation and timestamp
// fields in the body and the description.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppRegistration } from '../directory/apps.js';

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
    readonly suberror?: string,
  ) {
    super(`AADSTS${code}: ${description}`);
  }
}

export const E = {
  tenantNotFound: (t: string) =>
    new OAuthError(400, 'invalid_request', 90002, `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`),
  missingParameter: (p: string) => new OAuthError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${p}'.`),
  missingCredentialField: (f: string) =>
    new OAuthError(400, 'invalid_request', 90014, `The required field '${f}' is missing from the credential. Ensure that you have all the necessary parameters for the login request.`),
  noTenant: () => new OAuthError(400, 'invalid_request', 50059, 'No tenant-identifying information found in either the request or implied by any provided credentials.'),
  unsupportedGrant: (g: string) => new OAuthError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${g}'.`),
  unknownApp: (clientId: string, tenant: string) =>
    new OAuthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`),
  missingSecret: () => new OAuthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  badSecret: (clientId: string) =>
    new OAuthError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  unknownResource: (resource: string, tenant: string) =>
    new OAuthError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`),
  clientCredentialsScope: (scope: string) =>
    new OAuthError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  invalidScope: (scope: string) => new OAuthError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`),
  consentRequired: (app: AppRegistration) =>
    new OAuthError(400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${app.clientId}' named '${app.displayName}'. Send an interactive authorization request for this user and resource.`, 'consent_required'),
  invalidCode: () => new OAuthError(400, 'invalid_grant', 70000, 'The provided authorization code is invalid or malformed.'),
  codeRedeemed: () => new OAuthError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'),
  codeExpired: () => new OAuthError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'),
  redirectMismatch: () => new OAuthError(400, 'invalid_grant', 50011, "The redirect URI specified in the request does not match the redirect URI used to obtain the authorization code."),
  pkceMismatch: () => new OAuthError(400, 'invalid_grant', 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."),
  authorizationPending: () => new OAuthError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.'),
  authorizationDeclined: () => new OAuthError(400, 'authorization_declined', 70000, 'The end user denied the authorization request.'),
  badVerificationCode: () => new OAuthError(400, 'bad_verification_code', 70018, "The device_code sent to the token endpoint wasn't recognized."),
  deviceCodeExpired: () => new OAuthError(400, 'expired_token', 70019, 'Verification code expired.'),
  publicClientWithCredential: () => new OAuthError(401, 'invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."),
  assertionType: () => new OAuthError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_assertion_type'."),
  assertionMalformed: (detail: string) => new OAuthError(401, 'invalid_client', 50027, `JWT token is invalid or malformed. ${detail}`),
  assertionKeyNotFound: (thumbprint: string, clientId: string) =>
    new OAuthError(401, 'invalid_client', 700027, `Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${clientId}']`),
  assertionSignature: () => new OAuthError(401, 'invalid_client', 700027, 'Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]'),
  assertionAudience: (aud: string, endpoint: string) =>
    new OAuthError(401, 'invalid_client', 700212, `No matching federated identity record found for presented assertion audience '${aud}'. The audience of a client assertion must be the token endpoint '${endpoint}'. Review the documentation at https://aka.ms/certCreds.`),
  assertionClientMismatch: () => new OAuthError(401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://aka.ms/certCreds ."),
  assertionSubjectMismatch: () => new OAuthError(401, 'invalid_client', 50048, 'Subject mismatches Issuer claim in the client assertion.'),
  assertionTime: (now: number, nbf: number | undefined, exp: number | undefined) =>
    new OAuthError(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${nbf === undefined ? 'unspecified' : new Date(nbf * 1000).toISOString()}, expiry time of assertion ${exp === undefined || !Number.isFinite(exp) ? 'unspecified' : new Date(exp * 1000).toISOString()}. Review the documentation at https://aka.ms/certCreds .`),
  assertionReplayed: () => new OAuthError(401, 'invalid_client', 50013, 'Assertion is invalid: the client assertion was already used (its jti has been seen before). Send a new assertion with a new jti.'),
  assertionMissingClaim: (claim: string) => new OAuthError(401, 'invalid_client', 50027, `JWT token is invalid or malformed. The client assertion does not contain the '${claim}' claim.`),
  unknownUser: (tenant: string) =>
    new OAuthError(400, 'invalid_grant', 50034, `The user account {EUII Hidden} does not exist in the ${tenant} directory. To sign into this application, the account must be added to the directory.`),
  badPassword: () => new OAuthError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  locked: () => new OAuthError(400, 'invalid_grant', 50053, "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password."),
  disabled: () => new OAuthError(400, 'invalid_grant', 50057, 'The user account is disabled.'),
  malformedGrant: () => new OAuthError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  invalidGrant: () => new OAuthError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.'),
  expiredRefreshToken: () =>
    new OAuthError(400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity. The token was issued too long ago and was inactive for longer than its lifetime allows.'),
};

const entraTimestamp = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;

export function origin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export function sendOAuthError(req: FastifyRequest, reply: FastifyReply, err: OAuthError) {
  const now = new Date();
  const traceId = randomUUID();
  const headerCorrelation = req.headers['client-request-id'];
  const correlationId = typeof headerCorrelation === 'string' && headerCorrelation ? headerCorrelation : randomUUID();
  const timestamp = entraTimestamp(now);
  return reply
    .code(err.status)
    .headers({ 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'x-ms-request-id': traceId, 'client-request-id': correlationId })
    .type('application/json; charset=utf-8')
    .send({
      error: err.error,
      error_description: `AADSTS${err.code}: ${err.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [err.code],
      ...(err.suberror ? { suberror: err.suberror } : {}),
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${origin(req)}/error?code=${err.code}`,
    });
}

