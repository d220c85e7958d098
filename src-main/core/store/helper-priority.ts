import os from 'node:os';

/**
 * Lowers the priority of the calling helper thread (full text, deflate) below the writer's, on
 * Linux, where setpriority on the process id 0 applies to the calling thread alone (elsewhere it
 * would lower the whole process: left as it is). The writer's thread bounds a run; with a helper
 * thread competing for the same core, three runnable threads on two cores took turns and the
 * writer lost its core's share to work that could wait.
 */
export function yieldToWriter(): void {
  if (process.platform !== 'linux') return;
  try {
    os.setPriority(10);
  } catch {
    // Not allowed here (a container's policy): the thread runs at the usual priority.
  }
}
