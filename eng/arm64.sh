#!/usr/bin/env bash
# Runs the spec runner as a linux-arm64 program under user-mode emulation (qemu-aarch64-static), so that the
# interpreter (and later the JIT: RyuJIT emits ARM64 code from the same CIL) is proved on ARM64, not only x86-64.
#
#   eng/arm64.sh [spec-runner options...]      e.g. eng/arm64.sh --profile wasm2 --engine interp
#
# Sets up a fresh Debian machine on first use (root): qemu-user-static and the arm64 C/C++ runtime libraries.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v qemu-aarch64-static >/dev/null 2>&1 || [ ! -e /lib/ld-linux-aarch64.so.1 ]; then
  dpkg --add-architecture arm64
  apt-get update -qq
  apt-get install -y -qq qemu-user-static libc6:arm64 libstdc++6:arm64
fi

out=artifacts/arm64/spec-runner
dotnet publish spec-runner -c Release -r linux-arm64 --self-contained -p:InvariantGlobalization=true -o "$out" -v quiet -nologo

# W^X double mapping of JIT code is slow and fragile under user-mode emulation; turning it off changes nothing
# about the code RyuJIT emits.
export DOTNET_EnableWriteXorExecute=0
exec qemu-aarch64-static -L / "$out/spec-runner" "$@"
