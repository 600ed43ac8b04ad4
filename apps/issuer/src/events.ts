// Names of the security events Keymint records (AuditLog) and logs: stable, dotted, in one place.
export const EVENTS = {
  refreshTokenReuseDetected: 'refresh_token.reuse_detected',
  refreshTokenFamilyRevoked: 'refresh_token.family_revoked',
  authorizationCodeReplayed: 'authorization_code.replayed',
  signInFailed: 'sign_in.failed',
  signInThrottled: 'sign_in.throttled',
  keyRotated: 'key.rotated',
  keyRevoked: 'key.revoked',
} as const
