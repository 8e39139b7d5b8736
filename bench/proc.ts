/** Readers for /proc: per-core busy time, a process's CPU time and memory, and the machine's facts. */
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';

/** Jiffies per core from /proc/stat: busy (all but idle and iowait) and total. */
export interface CoreTimes {
  busy: number;
  total: number;
}

export function readCoreTimes(): CoreTimes[] {
  const cores: CoreTimes[] = [];
  for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const fields = (match[2] as string).trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    cores[Number(match[1])] = { busy: total - idle - iowait, total };
  }
  return cores;
}

/** Busy % of each core between two readings. */
export function coreBusyPercent(before: CoreTimes[], after: CoreTimes[]): number[] {
  return after.map((a, i) => {
    const b = before[i];
    if (!b) return Number.NaN;
    const total = a.total - b.total;
    return total > 0 ? (100 * (a.busy - b.busy)) / total : Number.NaN;
  });
}

let clockTicks: number | undefined;

/** USER_HZ, the unit of /proc/PID/stat times. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds a process has used (all its threads), or NaN when it is gone. */
export function readProcessCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/** Resident memory now and its peak since the process started, in kB (VmRSS, VmHWM). */
export function readProcessMemory(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return null;
  }
}

/** The CPUs a process may run on (Cpus_allowed_list), e.g. `0` or `0-1`. */
export function readAllowedCpus(pid: number | 'self'): string {
  try {
    return /^Cpus_allowed_list:\s+(\S+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

export interface MachineInfo {
  /** `nproc --all`. */
  nproc: string;
  cpuModel: string;
  cpuMhz: string;
  virtualised: boolean;
  kernel: string;
  memoryGiB: number;
  node: string;
  loadAverage: number[];
  /** Other processes using CPU when the run started (top few by recent %CPU). */
  busyProcesses: string[];
}

export function readMachineInfo(): MachineInfo {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const field = (name: string): string => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  let nproc = String(os.cpus().length);
  try {
    // --all: the bench itself runs pinned, and plain nproc counts only the CPUs it may use.
    nproc = execFileSync('nproc', ['--all'], { encoding: 'utf8' }).trim();
  } catch {
    // keep Node's count
  }
  let busyProcesses: string[] = [];
  try {
    busyProcesses = execFileSync('ps', ['-eo', 'pcpu=,comm=', '--sort=-pcpu'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && Number(l.split(/\s+/)[0]) >= 1)
      .slice(0, 5)
      .map((l) => {
        const [pcpu, ...name] = l.split(/\s+/);
        return `${name.join(' ')} ${pcpu}%`;
      });
  } catch {
    // ps missing: leave the list empty
  }
  return {
    nproc,
    cpuModel: field('model name'),
    cpuMhz: field('cpu MHz'),
    virtualised: /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo),
    kernel: `${os.type()} ${os.release()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    busyProcesses,
  };
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** True when `taskset` can pin a process here. */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU seconds used so far by every user-space process except `exclude` (kernel threads left out),
 * keyed by pid: the difference of two readings shows who else used the machine during a window.
 */
export function readOtherProcessesCpu(exclude: ReadonlySet<number>): Map<number, { seconds: number; name: string }> {
  const out = new Map<number, { seconds: number; name: string }>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  const hz = clockTicksPerSecond();
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || exclude.has(pid) || pid === 2) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (fields[1] === '2') continue; // a kernel thread (child of kthreadd)
    out.set(pid, { seconds: (Number(fields[11]) + Number(fields[12])) / hz, name: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return out;
}

/** % of one core used by other processes between two readings, and the top users. */
export function otherProcessesPercent(
  before: Map<number, { seconds: number; name: string }>,
  after: Map<number, { seconds: number; name: string }>,
  windowS: number,
): { percent: number; top: string[] } {
  let total = 0;
  const users: Array<[string, number]> = [];
  for (const [pid, now] of after) {
    const used = now.seconds - (before.get(pid)?.seconds ?? 0);
    if (used <= 0) continue;
    total += used;
    users.push([`${now.name}(${pid})`, used]);
  }
  users.sort((a, b) => b[1] - a[1]);
  return {
    percent: (100 * total) / windowS,
    top: users.slice(0, 3).map(([name, used]) => `${name} ${Math.round((100 * used) / windowS)}%`),
  };
}
