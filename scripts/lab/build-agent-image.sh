#!/usr/bin/env bash
# Builds the node agent's image tether/agent:<hash> without any registry: a Debian 12 root file
# system from debootstrap (minbase + agent/packages.txt through agent/setup-root.sh), this
# machine's Node.js binary, and Tether compiled from src/ (esbuild) with its production node_modules
# (better-sqlite3's native module included: it was built here for this very Node.js).
# Idempotent and cached:
#   - the tag IS the hash of everything the agent runs (the recipe, the node binary, the
#     modules `tether agent` imports, package-lock.json): an image with that tag exists ->
#     nothing is done;
#   - the Debian root file system (the slow part) is kept under /var/cache/tether/agent-base-<hash>,
#     keyed by agent/packages.txt + agent/setup-root.sh only;
#   - the compiled app + pruned node_modules under /var/cache/tether/agent-app-<hash>.
# Imports into the engine DOCKER_HOST names (the machine's own by default). Progress goes to
# stderr; the image reference is the LAST line of stdout.
# agent/Dockerfile is the same image for engines that can pull node:20-bookworm-slim.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="${TETHER_AGENT_REPO:-tether/agent}"
cache="${TETHER_AGENT_CACHE:-/var/cache/tether}"
# one build at a time: two would share the cache folders
mkdir -p "$cache"
if [[ "${TETHER_AGENT_BUILD_LOCKED:-}" != 1 ]]; then
  exec env TETHER_AGENT_BUILD_LOCKED=1 flock -o "$cache/agent-build.lock" bash "$0" "$@"
fi
mirror="${TETHER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
started=$SECONDS
say() { echo "build-agent-image: [$((SECONDS - started))s] $*" >&2; }

node_bin="$(readlink -f "$(command -v node)")"
# shellcheck source=rootfs.sh
. scripts/lab/rootfs.sh
hash_of() { # files (names and contents) -> 16 hex digits
  sha256sum -- "$@" | sha256sum | cut -c1-16
}
base_hash="$(hash_of agent/packages.txt agent/setup-root.sh)"
mapfile -t sources < <(find src -name '*.ts' ! -name '*.test.ts' | LC_ALL=C sort)
# The image is named after what the agent runs: the modules `tether agent` imports (esbuild
# follows them from its command), not all of src/. An edit elsewhere (the API, the web UI)
# neither rebuilds nor redeploys the agents that tests on the lab are using.
meta="$(mktemp)"
npx esbuild src/cli/commands/agent.ts --bundle --platform=node --format=esm --packages=external \
  --metafile="$meta" --outfile=/dev/null --log-level=error \
  || { rm -f "$meta"; say "ERROR: the agent's modules do not build (above)"; exit 1; }
mapfile -t agent_sources < <(node -e 'for (const f of Object.keys(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).inputs).sort()) console.log(f)' "$meta")
rm -f "$meta"
app_hash="$(hash_of package.json package-lock.json src/cli/main.ts "${agent_sources[@]}")"
full_hash="$(printf '%s %s %s %s\n' "$base_hash" "$app_hash" "$(stat -c '%n %s %Y' "$node_bin")" \
  "$(hash_of scripts/lab/build-agent-image.sh scripts/lab/rootfs.sh)" | sha256sum | cut -c1-16)"
image="$repo:$full_hash"

if docker image inspect "$image" >/dev/null 2>&1; then
  say "$image is up to date"
  echo "$image"
  exit 0
fi

base="$cache/agent-base-$base_hash"
if [ ! -e "$base/complete" ]; then
  build_rootfs "$base" agent/packages.txt agent/setup-root.sh || exit 1
else
  say "reusing the root file system $base"
fi

app="$cache/agent-app-$app_hash"
# the same sources failed before: say so at once rather than compile them again
if [ -e "$app.failed" ]; then cat "$app.failed" >&2; say "ERROR: these sources did not build before (above)"; exit 1; fi
if [ ! -e "$app/complete" ]; then
  remove_tree "$app.partial"
  mkdir -p "$app.partial"
  say "compiling src/ into $app (esbuild, per file as tsc would; types are npm run typecheck's job)"
  # its own output folder: never the shared dist/ that others may be building at the same time
  npx esbuild "${sources[@]}" --outdir="$app.partial/dist" --outbase=src --format=esm \
    --platform=node --target=node20 --log-level=warning
  # every import must name an export that exists: a type-only re-export, which tsc drops and a
  # per-file transpile keeps, would otherwise fail only when node loads the module
  mapfile -t emitted < <(find "$app.partial/dist" -name '*.js' | LC_ALL=C sort)
  npx esbuild "${emitted[@]}" --bundle --platform=node --format=esm --packages=external \
    --outdir="$app.partial/link-check" --log-level=error --log-limit=3 2>"$app.partial/link.log" \
    || { cp "$app.partial/link.log" "$app.failed"; cat "$app.failed" >&2; say "ERROR: the compiled modules do not link (above)"; exit 1; }
  rm -rf "$app.partial/link-check"
  cp package.json package-lock.json "$app.partial/"
  say "production node_modules (a pruned copy of ./node_modules)"
  cp -a node_modules "$app.partial/"
  (cd "$app.partial" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>"$app.partial/prune.log") \
    || { cat "$app.partial/prune.log" >&2; say "ERROR: npm prune failed"; exit 1; }
  # better-sqlite3 needs only its compiled module at run time, not its sources (about 25 MB)
  bsq="$app.partial/node_modules/better-sqlite3"
  [ -f "$bsq/build/Release/better_sqlite3.node" ] || { say "ERROR: $bsq/build/Release/better_sqlite3.node is missing (npm ci first)"; exit 1; }
  rm -rf "$bsq/deps" "$bsq/src"
  find "$bsq/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$bsq/build/Release" -mindepth 1 -maxdepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
  rm -f "$app.partial/prune.log"
  rm -rf "$app"
  mv "$app.partial" "$app"
  touch "$app/complete"
else
  say "reusing the compiled app $app"
fi

# Two layers, so a new build of Tether moves only its compiled code (a few MB) through the
# registry to the nodes: the runtime image (Debian, node, node_modules), imported once per
# recipe, node binary and package-lock.json; then the app (dist/) on top of it.
runtime="$repo-runtime:$(printf '%s %s %s\n' "$base_hash" "$(stat -c '%n %s %Y' "$node_bin")" \
  "$(hash_of package-lock.json scripts/lab/build-agent-image.sh scripts/lab/rootfs.sh)" | sha256sum | cut -c1-16)"
stage="$(mktemp -d "$cache/agent-stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
if ! docker image inspect "$runtime" >/dev/null 2>&1; then
  # node and node_modules go onto a hard-linked copy of the base: the cached trees stay as built
  cp -al "$base/root" "$stage/root"
  mkdir -p "$stage/root/opt/tether"
  cp -al "$app/node_modules" "$stage/root/opt/tether/"
  cp "$node_bin" "$stage/root/usr/local/bin/node"
  say "checking that node and better-sqlite3 load in the root file system"
  env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin chroot "$stage/root" /usr/local/bin/node -e \
    "const D=require('/opt/tether/node_modules/better-sqlite3'); new D(':memory:').prepare('select 1').get()" \
    || { say "ERROR: node or better-sqlite3 does not load inside the image's root file system"; exit 1; }
  say "importing $runtime"
  tar -C "$stage/root" --numeric-owner -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'ENV NODE_ENV=production' \
    -c 'WORKDIR /opt/tether' -c 'EXPOSE 7710' \
    -c 'ENTRYPOINT ["/usr/bin/tini", "--"]' \
    -c 'CMD ["node", "/opt/tether/dist/cli/main.js", "agent", "--host-root", "/host"]' - "$runtime" >/dev/null
  rm -rf "$stage/root"
fi

say "building $image on $runtime"
mkdir -p "$stage/context"
cp -al "$app/dist" "$app/package.json" "$stage/context/"
# the classic builder: FROM a local image without asking any registry (and no buildx needed)
DOCKER_BUILDKIT=0 docker build -q -t "$image" -f - "$stage/context" >"$stage/build.log" 2>&1 <<DOCKERFILE \
  || { cat "$stage/build.log" >&2; say "ERROR: docker build of $image failed"; exit 1; }
FROM $runtime
COPY package.json /opt/tether/package.json
COPY dist/ /opt/tether/dist/
LABEL tether.agent.hash=$full_hash
DOCKERFILE

# Trees and images of older recipes are dead weight.
rm -f "$cache"/agent-app-*.failed
for old in "$cache"/agent-base-* "$cache"/agent-app-*; do
  case "$old" in "$base" | "$app") ;; *) [ -d "$old" ] && remove_tree "$old" ;; esac
done
docker image ls --format '{{.Repository}}:{{.Tag}}' "$repo" | grep -vxF "$image" | xargs -r docker image rm >/dev/null 2>&1 || true
docker image ls --format '{{.Repository}}:{{.Tag}}' "$repo-runtime" | grep -vxF "$runtime" | xargs -r docker image rm >/dev/null 2>&1 || true
say "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
echo "$image"
