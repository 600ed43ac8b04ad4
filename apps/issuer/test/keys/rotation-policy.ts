import type { RotationPolicy } from '../../src/keys/rotation.ts'

// The key timings the unit tests plan with (the issuer's defaults, spelled out so the tests read on their own):
// a staged key signs 300 + 10 s after it was staged; a retired key is published 10 + 900 + 300 s after it retired.
export const POLICY: RotationPolicy = {
  accessTokenTtlSeconds: 900,
  jwksMaxAgeSeconds: 300,
  keyPromotionDelaySeconds: 300,
  keyRefreshSeconds: 10,
  keyRotationDays: 90,
}
