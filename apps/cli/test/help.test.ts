import { describe, expect, it } from 'vitest';
import { runCliProcess } from './helpers.js';

describe('offsample usage', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await runCliProcess(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['dataset', 'classify', 'run', 'serve', 'submit', 'status', 'results', 'cancel', 'demo', 'deploy']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
  });

  it('<command> --help prints that command usage', async () => {
    const r = await runCliProcess(['classify', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: offsample classify <inputs-file>');
    expect(r.stdout).toContain('--allow-loopback');
    const d = await runCliProcess(['dataset', '-h']);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('--count N');
  });

  it('an unknown command, an unknown flag, a missing argument or no command exits 2 with a message', async () => {
    const cmd = await runCliProcess(['clasify']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain("unknown command 'clasify'");

    const flag = await runCliProcess(['dataset', '--count', '3', '--out', 'x', '--colour', 'red']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown option --colour');

    const missing = await runCliProcess(['classify']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing <inputs-file>');

    const badCount = await runCliProcess(['dataset', '--count', 'ten', '--out', 'x']);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain('--count = "ten"');

    const none = await runCliProcess([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: offsample <command>');
  });
});
