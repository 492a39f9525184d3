// CPU time from Linux /proc, for the benchmarks' per-request accounting. The kernel counts in
// clock ticks of 1/100 s (USER_HZ, 100 on Linux x86-64).
import fs from 'node:fs';

const MS_PER_TICK = 10;

/** User plus system CPU ms so far of the process or thread whose stat file this is; NaN once it has gone. */
export function cpuMs(statFile) {
  try {
    const stat = fs.readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return NaN;
  }
}

/** CPU ms all cores have been busy so far (/proc/stat: everything but idle and iowait). */
export function machineBusyMs() {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
}
