import { planRun, type HostProbe } from '../src/smoke.js';

function probe(tools: string[], files: string[] = [], wine = 'wine-8.0'): HostProbe {
  return {
    which: (name) => (tools.includes(name) ? `/usr/bin/${name}` : undefined),
    exists: (file) => files.some((f) => file.endsWith(f)),
    wineVersion: () => wine,
  };
}
const everything = probe(['qemu-aarch64-static', 'qemu-x86_64-static', 'wine'], ['binfmt_misc/qemu-aarch64', 'binfmt_misc/qemu-x86_64', 'system32/bcryptprimitives.dll']);

test('the host target runs natively', () => {
  expect(planRun('linux-x64', 'linux-x64', probe([]))).toEqual({ runner: { command: '', args: [], env: {}, via: 'native' } });
  expect(planRun('darwin-x64', 'darwin-arm64', probe([]))).toMatchObject({ runner: { via: 'native' } }); // Rosetta
  expect(planRun('windows-x64', 'windows-arm64', probe([]))).toMatchObject({ runner: { via: 'native' } });
});

test('linux-arm64 runs through qemu-user when it is registered with binfmt_misc', () => {
  expect(planRun('linux-arm64', 'linux-x64', everything)).toMatchObject({ runner: { command: '/usr/bin/qemu-aarch64-static', via: 'qemu-aarch64-static' } });
  expect(planRun('linux-x64', 'linux-arm64', everything)).toMatchObject({ runner: { via: 'qemu-x86_64-static' } });
  expect(planRun('linux-arm64', 'linux-x64', probe([]))).toEqual({ skip: 'qemu-aarch64-static is not installed (Debian: apt-get install qemu-user-static)' });
  expect(planRun('linux-arm64', 'linux-x64', probe(['qemu-aarch64-static']))).toMatchObject({ skip: expect.stringMatching(/not registered with binfmt_misc.*setup-emulators/) });
});

test('windows-x64 runs through wine when wine can run Go programs', () => {
  expect(planRun('windows-x64', 'linux-x64', everything)).toMatchObject({ runner: { command: '/usr/bin/wine', env: { WINEDEBUG: '-all' }, via: 'wine' } });
  expect(planRun('windows-x64', 'linux-x64', probe(['wine'], [], 'wine-9.0'))).toMatchObject({ runner: { via: 'wine' } });
  expect(planRun('windows-x64', 'linux-x64', probe(['wine']))).toMatchObject({ skip: expect.stringMatching(/wine-8.0 lacks bcryptprimitives.dll/) });
  expect(planRun('windows-x64', 'linux-x64', probe([]))).toMatchObject({ skip: expect.stringMatching(/apt-get install wine64/) });
});

test('what cannot run here is skipped with the reason', () => {
  expect(planRun('darwin-arm64', 'linux-x64', everything)).toEqual({ skip: 'macOS packs run only on macOS' });
  expect(planRun('windows-arm64', 'linux-x64', everything)).toMatchObject({ skip: expect.stringMatching(/wine runs x64 Windows programs only/) });
  expect(planRun('linux-x64', 'darwin-arm64', everything)).toEqual({ skip: 'Linux packs run only on Linux' });
});
