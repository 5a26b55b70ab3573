/**
 * CPU time from /proc (Linux), beside requests per second: on a 2-CPU machine where the load
 * generator, PostgreSQL and the servers share the cores, throughput says how the machine
 * coped, CPU time per request says what each side costs.
 */
import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on every Linux platform Node runs on.
const TICKS_PER_SECOND = 100;

interface ProcessCpu {
  pgrp: number;
  seconds: number;
}

function readProcess(pid: string): ProcessCpu | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised command name: state is field 3, pgrp 5, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pgrp: Number(fields[2]), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined; // Exited between the listing and the read.
  }
}

function pids(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

/** CPU seconds used so far, per process id. */
export type CpuSnapshot = Map<string, number>;

/** Every process of the process group `pgrp` (a server and its workers). */
export function groupCpu(pgrp: number): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const pid of pids()) {
    const cpu = readProcess(pid);
    if (cpu?.pgrp === pgrp) snapshot.set(pid, cpu.seconds);
  }
  return snapshot;
}

/**
 * The PostgreSQL backends serving `database` (their process title names it), when the
 * server runs on this machine; empty when none is visible.
 */
export function postgresCpu(database: string): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const pid of pids()) {
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    const cpu = title.startsWith('postgres: ') && title.includes(` ${database} `) ? readProcess(pid) : undefined;
    if (cpu) snapshot.set(pid, cpu.seconds);
  }
  return snapshot;
}

/**
 * CPU seconds used between two snapshots by the processes alive at the second: one that
 * started in between counts whole, one that exited (a pooled connection closed) drops out
 * instead of making the sum negative. NaN without /proc.
 */
export function cpuSecondsBetween(before: CpuSnapshot, after: CpuSnapshot): number {
  if (pids().length === 0) return Number.NaN;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}
