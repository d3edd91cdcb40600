/** The built `polyverify` command, run as a subprocess (`npm test` builds first). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('polyverify command', () => {
  it('demo walks through every step and exits 0', () => {
    const { status, stdout, stderr } = run('demo');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    for (const step of ['1. start', '2. the simulator', '3. check a wrong code: verified false, reason incorrect_code, 4 attempts left',
      '4. check the right code: verified true, status verified', '5. check it again: verified false, reason already_verified',
      '6. get: status verified; attempts: telegram failed, sms delivered', 'reason expired', '8. list everything', '9. exact cost total: ']) {
      expect(stdout).toContain(step);
    }
    expect(stdout).toContain('+49170*****67');
  });

  it('an unknown command prints the usage line and exits 2', () => {
    const { status, stderr } = run('bogus');
    expect(status).toBe(2);
    expect(stderr).toBe("polyverify: unknown command 'bogus'\nusage: polyverify <command> [options]\n");
  });

  it('an unknown option exits 2', () => {
    expect(run('demo', '--nope').status).toBe(2);
  });

  it('--help exits 0 for the command and for each subcommand', () => {
    expect(run('--help')).toMatchObject({ status: 0 });
    expect(run('demo', '--help').stdout).toContain('usage: polyverify demo');
  });
});
