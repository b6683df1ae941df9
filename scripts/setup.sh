#!/usr/bin/env bash
# Installs the Debian 12 packages moeprof needs to build and test, skipping those already present.
# Idempotent and quiet: prints one line when everything is installed. Does not install CUDA: the
# CUDA 13 toolkit at /usr/local/cuda is optional (without it the collector, kernels and trainer are
# skipped at configure time).
set -euo pipefail

packages=(
  cmake g++ ninja-build pkg-config
  libsqlite3-dev sqlite3
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libfmt-dev libsimdjson-dev zlib1g-dev libre2-dev libtomlplusplus-dev
  qt6-base-dev
  clang libclang-rt-14-dev  # clang + libFuzzer runtime for the fuzz targets
  python3
  libxml2-utils  # xmllint: validates the JUnit report against tests/report/junit.xsd
)

missing=()
for pkg in "${packages[@]}"; do
  # "install ok installed" is the only state in which the package's files are really there.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} build dependencies are installed"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: not root and sudo is not available; install them as root" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
