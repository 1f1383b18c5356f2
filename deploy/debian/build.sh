#!/usr/bin/env bash
# Builds the Debian package convoy_<version>-1_<arch>.deb with dpkg-deb (npm run package:deb).
#
#   deploy/debian/build.sh [--tarball FILE] [--out DIR]
#
#   --tarball FILE  the package made by `npm pack` (default: run npm pack now, which builds dist/)
#   --out DIR       where to write the .deb (default: build/ in the repository)
#
# Layout: the programs and their production node_modules in /usr/lib/convoy, wrappers in
# /usr/bin, the systemd units in /lib/systemd/system, conffiles in /etc/convoy, docs and
# examples in /usr/share/doc/convoy, Prometheus rules and the Grafana dashboard in
# /usr/share/convoy. The maintainer scripts (postinst, prerm, postrm) are beside this file.
#
# better-sqlite3 is native: its binding is the one this checkout's `npm ci` compiled (same
# version), else it is compiled now (node-gyp: python3, make, g++). Either way it is built for
# this machine's Node.js major version and architecture, and the package depends on that
# Node.js major version. Needs: node, npm, dpkg-deb, fakeroot not required (ownership is set
# with --root-owner-group).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/deploy/debian"
tarball=""
out="$repo/build"
while [ $# -gt 0 ]; do
  case "$1" in
    --tarball) tarball="$(realpath "$2")"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: $0 [--tarball FILE] [--out DIR]" >&2; exit 2 ;;
  esac
done

say() { echo "package:deb: $*" >&2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/convoy-deb-XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
lib="$root/usr/lib/convoy"
doc="$root/usr/share/doc/convoy"

if [ -z "$tarball" ]; then
  say "npm pack (builds dist/)"
  tarball="$work/$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)"
fi

version="$(tar -xzOf "$tarball" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).version))')"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
# package.json engines.node (">=20.19") as the lowest nodejs the package accepts.
node_min="$(tar -xzOf "$tarball" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).engines.node.replace(/^>=\s*/,"")))')"
# The binding is for this Node's major version only: never accept an older major than that.
if [ "${node_min%%.*}" -lt "$node_major" ]; then node_min="$node_major"; fi
arch="$(dpkg --print-architecture)"
deb_version="$version-1"

say "unpacking $(basename "$tarball") into /usr/lib/convoy"
mkdir -p "$lib"
tar -xzf "$tarball" -C "$lib" --strip-components=1 --no-same-owner

say "production dependencies (npm ci --omit=dev, from package-lock.json)"
cp "$repo/package-lock.json" "$lib/"
(cd "$lib" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error) >&2
rm "$lib/package-lock.json"

# The binding: --ignore-scripts skipped better-sqlite3's install (prebuild-install || node-gyp).
sqlite_version() { node -p "require('$1/better-sqlite3/package.json').version"; }
binding="build/Release/better_sqlite3.node"
if [ -f "$repo/node_modules/better-sqlite3/$binding" ] &&
  [ "$(sqlite_version "$repo/node_modules")" = "$(sqlite_version "$lib/node_modules")" ]; then
  say "better-sqlite3: the binding this checkout compiled for Node $node_major"
  install -D -m 0644 "$repo/node_modules/better-sqlite3/$binding" "$lib/node_modules/better-sqlite3/$binding"
else
  say "better-sqlite3: compiling the binding for Node $node_major (a few minutes)"
  (cd "$lib" && npm rebuild better-sqlite3 --no-audit --no-fund --loglevel=error) >&2
fi
# Only the binding is needed at run time: not the C sources, the build tree or the test files.
find "$lib/node_modules/better-sqlite3" -mindepth 1 -maxdepth 1 \( -name deps -o -name src \) -exec rm -rf {} +
find "$lib/node_modules/better-sqlite3/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
find "$lib/node_modules/better-sqlite3/build/Release" -mindepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
if command -v strip >/dev/null; then
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$lib/node_modules/better-sqlite3/$binding"
fi
node -e "new (require('$lib/node_modules/better-sqlite3'))(':memory:').prepare('select 1').get()"
# What modules ship for their own development has no place in a package (lintian: eslint
# configs, .npmignore, .gitattributes are errors or warnings), nor an exec bit on plain JS.
find "$lib/node_modules" -type f -name '.*' -delete
find "$lib/node_modules" -type d -name '.github' -prune -exec rm -rf {} +
find "$lib/node_modules" -type f -perm /111 -print0 | while IFS= read -r -d '' f; do
  [ "$(head -c 2 "$f")" = '#!' ] || [ "$(head -c 4 "$f" | tail -c 3)" = ELF ] || chmod a-x "$f"
done

say "layout: wrappers, units, conffiles, docs"
# Docs, examples and the monitoring files go where Debian keeps them, not under /usr/lib.
mkdir -p "$doc" "$root/usr/share/convoy"
mv "$lib/README.md" "$lib/docs" "$doc/"
mv "$lib/deploy/examples" "$doc/examples"
mv "$lib/deploy/prometheus" "$lib/deploy/grafana" "$root/usr/share/convoy/"
install -D -m 0644 -t "$root/lib/systemd/system" "$lib/deploy/systemd/convoyd.service" "$lib/deploy/systemd/convoy-agent.service"
rm -rf "$lib/deploy"
install -D -m 0644 "$here/copyright" "$doc/copyright"
install -D -m 0644 "$here/sysusers.conf" "$root/usr/lib/sysusers.d/convoy.conf"
install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/convoy"
install -D -m 0644 "$repo/deploy/examples/coordinator.yaml" "$root/etc/convoy/coordinator.yaml"
install -D -m 0644 "$repo/deploy/examples/agent.yaml" "$root/etc/convoy/agent.yaml"
for program in convoy convoyd convoy-agent; do
  printf '#!/bin/sh\nexec /usr/bin/node /usr/lib/convoy/bin/%s.js "$@"\n' "$program" >"$work/$program"
  install -D -m 0755 "$work/$program" "$root/usr/bin/$program"
done
chmod 0755 "$lib"/bin/*.js

# changelog.Debian: one entry for this build, dated by the last commit (reproducible).
date="$(git -C "$repo" log -1 --format=%aD 2>/dev/null || date -R)"
maintainer="Convoy maintainers <convoy-maintainers@users.noreply.github.com>"
printf 'convoy (%s) unstable; urgency=medium\n\n  * Built from the Convoy source tree by deploy/debian/build.sh.\n\n -- %s  %s\n' \
  "$deb_version" "$maintainer" "$date" | gzip -9n >"$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"

# Libraries the binding links against, as dpkg-shlibdeps finds them (needs a debian/control).
mkdir -p "$work/shlibs/debian" && touch "$work/shlibs/debian/control"
shlibs="$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$lib/node_modules/better-sqlite3/$binding" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"

mkdir -p "$root/DEBIAN"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum >DEBIAN/md5sums)
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
printf '/etc/convoy/coordinator.yaml\n/etc/convoy/agent.yaml\n' >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/control" <<EOF
Package: convoy
Version: $deb_version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: nodejs (>= $node_min), nodejs (<< $((node_major + 1))), systemd${shlibs:+, $shlibs}
Recommends: git, make, openssl
Section: admin
Priority: optional
Homepage: https://github.com/convoy/convoy
Description: safe, ordered, health-gated updates for fleets of self-hosted servers
 Convoy updates servers deployed from a git repository with make (and docker
 compose), such as the Hoss object store: back up, read the release notes, check
 out the release tag, make config, build and up, wait until the new version is
 healthy, back up again; for linked servers, the auth server first, then the
 others one at a time.
 .
 This package has the three programs: convoy-agent (one per server host),
 convoyd (the coordinator) and convoy (the CLI), with their systemd units.
 Its native SQLite binding is built for Node.js $node_major.
EOF

mkdir -p "$out"
deb="$(realpath "$out")/convoy_${deb_version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
say "wrote $deb"
echo "$deb"
