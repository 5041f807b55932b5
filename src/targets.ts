// The six targets a pack can be written for, and what each means.

export const TARGETS = [
  'linux-x64',
  'linux-arm64',
  'darwin-x64',
  'darwin-arm64',
  'windows-x64',
  'windows-arm64',
] as const;

export type Target = (typeof TARGETS)[number];
export type TargetOS = 'linux' | 'darwin' | 'windows';
export type TargetArch = 'x64' | 'arm64';

export function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}

export function targetOS(target: Target): TargetOS {
  return target.split('-')[0] as TargetOS;
}

export function targetArch(target: Target): TargetArch {
  return target.split('-')[1] as TargetArch;
}

/** The executable suffix for a target: `.exe` on Windows, else empty. */
export function exeSuffix(target: Target): string {
  return targetOS(target) === 'windows' ? '.exe' : '';
}

/** The target this process runs on, or undefined on an unsupported host. */
export function hostTarget(platform: string = process.platform, arch: string = process.arch): Target | undefined {
  const os = platform === 'win32' ? 'windows' : platform;
  const candidate = `${os}-${arch}`;
  return isTarget(candidate) ? candidate : undefined;
}
