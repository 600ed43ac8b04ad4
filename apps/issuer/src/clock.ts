// Time comes in as a dependency so that expiry can be tested by setting the clock, not by waiting.
export type Clock = { now(): number }

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that only moves when told to: for tests and for the in-process store's own tests. */
export function manualClock(start = Date.now()): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = start
  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
    set: (ms) => {
      current = ms
    },
  }
}
