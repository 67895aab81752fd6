#!/usr/bin/env bash
# Runs the spec runner as a linux-arm64 program under user-mode emulation (qemu-aarch64-static), so that the
# interpreter and the JIT (RyuJIT emits ARM64 code from the same CIL) are proved on ARM64, not only x86-64.
#
#   eng/arm64.sh [--simd-software] [--no-publish] [spec-runner options...]
#     eng/arm64.sh --engine interp --engine jit                 the whole core suite on both tiers
#     eng/arm64.sh --profile isa --engine interp --engine jit   the short run of CI (files where the ISA matters)
#     eng/arm64.sh --simd-software --filter 'simd_*' --engine jit
#   --simd-software  run with DOTNET_EnableHWIntrinsic=0: Vector128 is not accelerated and the base library's
#                    software fallback computes every vector operation (the platform line of the report says so)
#   --no-publish     reuse artifacts/arm64/spec-runner from an earlier call
#
# Sets up the machine on first use (root or sudo): qemu-user-static and the arm64 C/C++ runtime libraries through
# multiarch. Debian serves arm64 from its usual mirrors; on Ubuntu arm64 lives on ports.ubuntu.com, so the
# existing sources are pinned to amd64 and a ports source is added.
set -euo pipefail
cd "$(dirname "$0")/.."

publish=1
while [ $# -gt 0 ]; do
  case "$1" in
    --simd-software) export DOTNET_EnableHWIntrinsic=0; shift ;;
    --no-publish) publish=0; shift ;;
    *) break ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

add_ubuntu_ports() {
  local codename
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  # Pin every existing source to amd64 (deb822 and one-line formats), else apt asks them for arm64 and fails.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] && grep -q '^Types:' "$f" && ! grep -q '^Architectures:' "$f" && as_root sed -i '/^Types:/a Architectures: amd64' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$f" ] && as_root sed -i -E -e 's/^deb (http|https|mirror)/deb [arch=amd64] \1/' \
      -e '/^deb \[[^]]*arch=/! s/^deb \[/deb [arch=amd64 /' "$f"
  done
  as_root tee /etc/apt/sources.list.d/arm64-ports.sources >/dev/null <<EOF
Types: deb
URIs: http://ports.ubuntu.com/ubuntu-ports
Suites: $codename $codename-updates $codename-security
Components: main universe
Architectures: arm64
EOF
}

if ! command -v qemu-aarch64-static >/dev/null 2>&1 || [ ! -e /lib/ld-linux-aarch64.so.1 ]; then
  if grep -q '^ID=ubuntu' /etc/os-release; then
    add_ubuntu_ports
  fi
  as_root dpkg --add-architecture arm64
  # A third-party source without arm64 must not stop the setup: what is needed comes from the distribution.
  as_root apt-get update -qq || echo "warning: apt-get update reported errors; installing anyway" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static libc6:arm64 libstdc++6:arm64
fi

out=artifacts/arm64/spec-runner
if [ "$publish" = 1 ] || [ ! -x "$out/spec-runner" ]; then
  dotnet publish spec-runner -c Release -r linux-arm64 --self-contained -p:InvariantGlobalization=true -o "$out" -v quiet -nologo
fi

# W^X double mapping of JIT code is slow and fragile under user-mode emulation; turning it off changes nothing
# about the code RyuJIT emits.
export DOTNET_EnableWriteXorExecute=0
# -L /: the arm64 loader and libraries installed by multiarch. (Debian's libc6-arm64-cross under
# /usr/aarch64-linux-gnu is not a substitute: with it the runtime hangs during start-up under qemu 7.2.)
# --no-memory-reservation: qemu 7.2 user mode keeps state for every page of every mapping, so each memory's 4 GiB
# address-space reservation costs tens of MB of host memory that is not given back (the whole suite reached 21 GB);
# memories then grow by reallocation, the runtime's path on systems without the reservation.
exec qemu-aarch64-static -L / "$out/spec-runner" --no-memory-reservation "$@"
