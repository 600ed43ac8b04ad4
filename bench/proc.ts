import { readdirSync, readFileSync } from 'node:fs'

// CPU time and memory of a process and all its descendants, read from /proc (Linux): the harness charges
// a server with everything its process tree did, libuv's threadpool and cluster workers included.

// utime, stime, cutime and cstime are in clock ticks: USER_HZ, 100 on every Linux the harness targets.
const TICK_MS = 10
const PAGE_BYTES = 4096

type Stat = { pid: number; ppid: number; utime: number; stime: number; cutime: number; cstime: number; rssPages: number }

function readStat(pid: number, path = `/proc/${pid}/stat`): Stat | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const field = (n: number) => Number(fields[n - 3])
  return { pid, ppid: field(4), utime: field(14), stime: field(15), cutime: field(16), cstime: field(17), rssPages: field(24) }
}

/** The process and every descendant alive now. */
function processTree(root: number): Stat[] {
  const all: Stat[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readStat(Number(name))
    if (stat !== undefined) all.push(stat)
  }
  const children = new Map<number, Stat[]>()
  for (const stat of all) {
    const siblings = children.get(stat.ppid)
    if (siblings === undefined) children.set(stat.ppid, [stat])
    else siblings.push(stat)
  }
  const tree = all.filter((stat) => stat.pid === root)
  // Breadth first from the root: the loop also visits the pids it appends.
  const pids = [root]
  for (const pid of pids) {
    for (const child of children.get(pid) ?? []) {
      tree.push(child)
      pids.push(child.pid)
    }
  }
  return tree
}

export type TreeCpu = {
  /** User + system CPU milliseconds of the whole tree, exited descendants included. */
  totalMs: number
  /** The share of it spent on the main threads (the JavaScript event loops) of the tree's processes. */
  mainThreadMs: number
}

/**
 * CPU time of the tree split by thread: each process's main thread (thread id = process id) runs the
 * JavaScript; the others are libuv's threadpool (where async node:crypto and WebCrypto sign) and V8's
 * helpers (GC, compilers). Node names them all "node", so the main thread is told apart by its id.
 */
export function treeCpu(root: number): TreeCpu {
  let ticks = 0
  let mainTicks = 0
  for (const stat of processTree(root)) {
    ticks += stat.utime + stat.stime
    // The root's children that already exited (and were waited for) are in its cutime and cstime.
    if (stat.pid === root) ticks += stat.cutime + stat.cstime
    const main = readStat(stat.pid, `/proc/${stat.pid}/task/${stat.pid}/stat`)
    if (main !== undefined) mainTicks += main.utime + main.stime
  }
  return { totalMs: ticks * TICK_MS, mainThreadMs: mainTicks * TICK_MS }
}

/** Resident memory of the tree, in bytes. */
export function treeRssBytes(root: number): number {
  return processTree(root).reduce((sum, stat) => sum + stat.rssPages * PAGE_BYTES, 0)
}
