#!/usr/bin/env bash
# Sets up a Debian 12 machine for building account, and runs the common tasks.
#
#   ./setup.sh deps      install the Debian packages the build needs (only the missing ones)
#   ./setup.sh example   deps, build the release preset with the SQLite store, run the
#                        exchange_session example (its ledger is a SQLite file)
#   ./setup.sh test      deps (with the browser tests': Debian's chromium, node and the npm
#                        packages pinned in tests/browser; and the high-availability test's:
#                        patroni and etcd-server), build the release preset with warnings as
#                        errors, run every test
#
# Safe to run again: packages already installed are left alone, and apt-get runs only when one is
# missing. Run as root, or as a user who may use sudo.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

# The toolchain and libraries the core library and its tests build with.
BUILD_PACKAGES=(
  build-essential
  cmake
  ninja-build
  libabsl-dev
  libfmt-dev
  catch2
  # GoogleTest: account::testing's GoogleTest adapter, its tests, and the example
  # ExecutionManager's test (examples/execution_manager).
  libgtest-dev
  libbenchmark-dev
  # The fake Sleeper API in tests/sleeper (an HTTP server on 127.0.0.1); tests only.
  libcpp-httplib-dev
)
# The PostgreSQL store (libpq to build it; the server binaries, which its tests start on their
# own, in a temporary directory), the SQLite store, the HTTP clients and their TLS, and time zones. The core
# library needs none of them.
BACKEND_PACKAGES=(
  postgresql-15
  libpq-dev
  libsqlite3-dev
  libcurl4-openssl-dev
  libsimdjson-dev
  libssl-dev
  tzdata
)

# The high-availability test (tests/ha): a three-node PostgreSQL cluster managed by Patroni,
# with etcd, on loopback (its PostgreSQL is postgresql-15, above).
HA_PACKAGES=(patroni etcd-server)

# The browser tests (tests/browser): Debian's Chromium, driven by playwright-core from npm (which
# never downloads a browser of its own), against oauth2-mock-server. nodejs and npm only when no
# npm is on the PATH already (a NodeSource node brings its own and conflicts with Debian's npm).
BROWSER_PACKAGES=(chromium)
BROWSER_NODE_PACKAGES=(nodejs npm)

step() {
  printf '\n==> %s\n' "$*"
}

die() {
  printf 'setup.sh: %s\n' "$*" >&2
  exit 1
}

as_root() {
  if [[ ${EUID} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' (and sudo is not installed)"
  fi
}

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# True when apt knows a candidate version of the package.
has_candidate() {
  local candidate
  candidate="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')"
  [[ -n "${candidate}" && "${candidate}" != "(none)" ]]
}

install_deps() {
  step "Checking Debian packages"
  local missing=()
  local package
  for package in "${BUILD_PACKAGES[@]}" "${BACKEND_PACKAGES[@]}"; do
    if ! is_installed "${package}"; then
      missing+=("${package}")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "All packages are installed."
    return
  fi

  echo "Missing: ${missing[*]}"
  step "Updating the package lists"
  as_root apt-get update -q

  local unavailable=()
  for package in "${missing[@]}"; do
    if ! has_candidate "${package}"; then
      unavailable+=("${package}")
    fi
  done
  if [[ ${#unavailable[@]} -gt 0 ]]; then
    die "no installable version of: ${unavailable[*]} (is this Debian 12?)"
  fi

  step "Installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Installs those of the given packages that are missing (apt-get update first), or nothing.
install_missing() {
  local missing=()
  local package
  for package in "$@"; do
    is_installed "${package}" || missing+=("${package}")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    step "Installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

install_browser_deps() {
  step "Checking the browser tests' packages"
  local packages=("${BROWSER_PACKAGES[@]}")
  if ! command -v npm >/dev/null 2>&1; then
    packages+=("${BROWSER_NODE_PACKAGES[@]}")
  fi
  install_missing "${packages[@]}"
  # The exact versions of package-lock.json, into tests/browser/node_modules; again only when
  # the lock file changed since the last install.
  if [[ ! tests/browser/node_modules/.package-lock.json -nt tests/browser/package-lock.json ]]; then
    step "Installing the pinned npm packages into tests/browser/node_modules"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

install_ha_deps() {
  step "Checking the high-availability test's packages"
  install_missing "${HA_PACKAGES[@]}"
}

build_release() {
  step "Configuring the release preset${*:+ ($*)}"
  cmake --preset release "$@"
  step "Building the release preset"
  cmake --build --preset release -j2
}

run_example() {
  install_deps
  # The example keeps its ledger in a SQLite file: without libsqlite3 the configure fails, rather
  # than the example quietly not being built.
  build_release -DACCOUNT_WITH_SQLITE=ON
  local example=build/release/examples/exchange_session
  [[ -x "${example}" ]] || die "${example} was not built (is examples/exchange_session.cpp there?)"
  step "Running ${example}"
  "${example}"
}

run_tests() {
  install_deps
  install_ha_deps
  install_browser_deps
  # ACCOUNT_WITH_POSTGRES=ON: without libpq the configure fails, rather than the PostgreSQL
  # tests quietly not being built. ACCOUNT_WITH_SLEEPER=ON likewise for libcurl and simdjson,
  # ACCOUNT_WITH_AUTH=ON for OpenSSL, libcurl and simdjson, ACCOUNT_WITH_SQLITE=ON for libsqlite3.
  build_release -DACCOUNT_WARNINGS_AS_ERRORS=ON -DACCOUNT_WITH_POSTGRES=ON \
    -DACCOUNT_WITH_SLEEPER=ON -DACCOUNT_WITH_AUTH=ON -DACCOUNT_WITH_SQLITE=ON
  step "Running the tests"
  local status=0
  ctest --preset release --no-tests=error || status=$?
  # The browser tests' screenshots and the example server's log, failed or not (CI output).
  local shots=build/release/tests/browser/screenshots
  echo "Screenshots and the server's log of the browser tests: ${PWD}/${shots}"
  ls -l "${shots}" 2>/dev/null || true
  return "${status}"
}

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  deps) install_deps ;;
  example) run_example ;;
  test) run_tests ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
