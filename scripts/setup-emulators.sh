#!/usr/bin/env bash
# Makes this Linux x64 machine able to run linux-arm64 and windows-x64 packs
# (pack-action smoke, and the tests that run packs). Idempotent; needs root.
#  - linux-arm64: qemu-aarch64-static runs the stub, but the stub execve()s
#    the packed arm64 program, which only works when the kernel knows to hand
#    arm64 ELF files to qemu (binfmt_misc).
#  - windows-x64: Go >= 1.24 programs (the stub) import ProcessPrng from
#    bcryptprimitives.dll, which wine 8 (Debian 12) lacks; a tiny DLL built
#    with mingw provides it via RtlGenRandom. Wine >= 9 has its own.
set -euo pipefail

need() { command -v "$1" >/dev/null || { echo "setup-emulators: $1 is missing; apt-get install $2" >&2; exit 1; }; }

# --- qemu-user + binfmt_misc for arm64 ---
need qemu-aarch64-static qemu-user-static
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  [ -f "$conf" ] || { echo "setup-emulators: $conf is missing; apt-get install qemu-user-static" >&2; exit 1; }
  cat "$conf" > /proc/sys/fs/binfmt_misc/register
fi
echo "linux-arm64: qemu-aarch64 registered with binfmt_misc"

# --- wine + bcryptprimitives.dll ---
need wine wine64
export WINEDEBUG=-all
prefix="${WINEPREFIX:-$HOME/.wine}"
if [ ! -d "$prefix/drive_c/windows/system32" ]; then
  wineboot -i >/dev/null 2>&1 || true
fi
dll="$prefix/drive_c/windows/system32/bcryptprimitives.dll"
if [ ! -f "$dll" ] && ! ls /usr/lib/x86_64-linux-gnu/wine/x86_64-windows/bcryptprimitives.dll >/dev/null 2>&1; then
  need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64-win32
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cat > "$tmp/shim.c" <<'C'
#include <windows.h>
/* advapi32's SystemFunction036 is RtlGenRandom. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    length -= n;
  }
  return TRUE;
}
C
  x86_64-w64-mingw32-gcc -O2 -shared -s -o "$tmp/bcryptprimitives.dll" "$tmp/shim.c" -ladvapi32
  cp "$tmp/bcryptprimitives.dll" "$dll"
fi
echo "windows-x64: wine has bcryptprimitives.dll"
