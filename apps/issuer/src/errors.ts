// One class per error code Keymint answers with (RFC 6749 §5.2, RFC 8707 §2, RFC 6750 §3.1),
// each with its fixed code and HTTP status. plugins/error-handler.ts is the only place that renders them.

export abstract class OAuthError extends Error {
  abstract readonly error: string
  abstract readonly status: number
  /** Extra response headers, e.g. WWW-Authenticate on 401 or Retry-After on 503. */
  headers: Record<string, string> = {}
  constructor(description: string) {
    super(description)
    this.name = new.target.name
  }
}

export class InvalidRequest extends OAuthError {
  readonly error = 'invalid_request'
  readonly status = 400
}

export class InvalidClient extends OAuthError {
  readonly error = 'invalid_client'
  readonly status = 401
  /** `basic`: the client tried HTTP Basic, so RFC 6749 §5.2 wants a Basic challenge in WWW-Authenticate. */
  constructor(description: string, options: { basic: boolean }) {
    super(description)
    if (options.basic) this.headers = { 'www-authenticate': 'Basic realm="keymint", charset="UTF-8"' }
  }
}

export class InvalidGrant extends OAuthError {
  readonly error = 'invalid_grant'
  readonly status = 400
}

export class UnauthorizedClient extends OAuthError {
  readonly error = 'unauthorized_client'
  readonly status = 400
}

export class UnsupportedGrantType extends OAuthError {
  readonly error = 'unsupported_grant_type'
  readonly status = 400
}

export class InvalidScope extends OAuthError {
  readonly error = 'invalid_scope'
  readonly status = 400
}

export class InvalidTarget extends OAuthError {
  readonly error = 'invalid_target'
  readonly status = 400
}

export class UnsupportedResponseType extends OAuthError {
  readonly error = 'unsupported_response_type'
  readonly status = 400
}

export class AccessDenied extends OAuthError {
  readonly error = 'access_denied'
  readonly status = 403
}

export class NotFound extends OAuthError {
  readonly error = 'not_found'
  readonly status = 404
}

export class TemporarilyUnavailable extends OAuthError {
  readonly error = 'temporarily_unavailable'
  readonly status = 503
  constructor(description: string, retryAfterSeconds = 5) {
    super(description)
    this.headers = { 'retry-after': String(retryAfterSeconds) }
  }
}
