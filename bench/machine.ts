import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg, totalmem } from 'node:os'

export type Machine = {
  cores: number
  cpuModel: string
  memoryGiB: number
  node: string
  openssl: string
  loadAverage: string
}

/** What the numbers were measured on: cores, CPU model (/proc/cpuinfo), Node and OpenSSL, and how busy it was. */
export function describeMachine(): Machine {
  let cpuModel = 'unknown'
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'))
    if (line !== undefined) cpuModel = line.split(':')[1]?.trim() ?? cpuModel
  } catch {
    // Not Linux: keep 'unknown'.
  }
  return {
    cores: availableParallelism(),
    cpuModel,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    loadAverage: loadAverage(),
  }
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ')
}
