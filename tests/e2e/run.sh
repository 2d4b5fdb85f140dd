#!/usr/bin/env bash
# End-to-end proof that dockerfix's fixes keep images working (RULES.md, transform 1).
#
# For every case under tests/e2e/cases/<name>/ (a Dockerfile plus a `check` file holding a shell
# command), this builds three images with buildah: the Dockerfile as written, the output of
# `dockerfix check --fix` and the output of `dockerfix check --fix --unsafe-fixes`. Then it runs
# the check command in each, measures each image (unpacked in the store, and pushed: the sum of
# its compressed layer blobs in an OCI layout) and fails unless
#   - all three build and the check succeeds in all three,
#   - the safe fix is not larger than the original (pushed size),
#   - the unsafe fix is smaller than the original (pushed size),
# where sizes within E2E_SIZE_NOISE bytes (64 KiB) of each other count as equal.
#
# No Docker daemon and no registry is needed: buildah runs with `--storage-driver vfs
# --isolation chroot` (as root) and the base image `localhost/debian:bookworm-slim` is made
# with debootstrap (minbase) from deb.debian.org, made like the official image: its
# /etc/apt/apt.conf.d/docker-* files (among them the docker-clean hook), its deb822 sources
# (bookworm, -updates, -security), the slim variant's dpkg excludes, no apt lists or caches.
# The base image, and the buildah store it lives in, are cached under
# ${E2E_CACHE:-/tmp/dockerfix-e2e}; `rm -rf` that folder to start over.
#
# Usage, from the repository root (after `cargo build --release`):
#   bash tests/e2e/run.sh            # every case
#   bash tests/e2e/run.sh apt-seed   # only the named cases
# Environment: E2E_CACHE (cache folder), E2E_MIRROR and E2E_SECURITY_MIRROR (Debian mirrors,
# default http://deb.debian.org/debian and http://deb.debian.org/debian-security),
# DOCKERFIX_BIN (default target/release/dockerfix).
# Exit codes: 0 proven, 1 a build, check or size assertion failed, 2 missing tools or binary.
set -euo pipefail

cd "$(dirname "$0")/../.."
export LC_ALL=C # a "." in $EPOCHREALTIME and in awk's numbers
REPO=$PWD
CACHE=${E2E_CACHE:-/tmp/dockerfix-e2e}
MIRROR=${E2E_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${E2E_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
BIN=${DOCKERFIX_BIN:-$REPO/target/release/dockerfix}
BASE_IMAGE=localhost/debian:bookworm-slim
IMAGE_PREFIX=localhost/dockerfix-e2e
VARIANTS=(original fixed-safe fixed-unsafe)
# Two builds of the same Dockerfile differ by a few bytes pushed (timestamps in logs and in the
# tar headers): sizes closer than this count as equal, in both assertions.
NOISE=${E2E_SIZE_NOISE:-65536}

die() { echo "e2e: $*" >&2; exit 2; }

for tool in buildah debootstrap python3 tar flock; do
  command -v "$tool" >/dev/null 2>&1 \
    || die "'$tool' is not on PATH (Debian: apt-get install buildah debootstrap)"
done
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, and buildah with the vfs driver)"
[ -x "$BIN" ] || die "no dockerfix binary at $BIN (run: cargo build --release --bin dockerfix)"

# A store of our own under the cache: the run never touches other images on the machine, and
# removing the cache folder removes everything the run made.
bh() { buildah --storage-driver vfs --root "$CACHE/storage" --runroot "$CACHE/runroot" "$@"; }
export BUILDAH_ISOLATION=chroot

mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
if ! flock -n 9; then
  echo "e2e: another run holds $CACHE/lock; waiting"
  flock 9
fi

# ---- timing ---------------------------------------------------------------------------------
TIMINGS=()
step() { STEP_NAME=$1; STEP_T0=$EPOCHREALTIME; echo; echo "==> $1"; }
step_done() {
  local dt
  dt=$(awk -v a="$STEP_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  TIMINGS+=("$(printf '%-44s %7ss' "$STEP_NAME" "$dt")")
  echo "    ${dt}s"
}
RUN_T0=$EPOCHREALTIME

# ---- cleanup: containers and case images; the base image stays cached ------------------------
CONTAINERS=()
IMAGES=()
cleanup() {
  local c i
  for c in "${CONTAINERS[@]}"; do bh rm "$c" >/dev/null 2>&1 || true; done
  for i in "${IMAGES[@]}"; do bh rmi -f "$i" >/dev/null 2>&1 || true; done
  # The intermediate images of the layered builds are untagged: prune them (our own store).
  bh rmi --prune >/dev/null 2>&1 || true
  rm -rf "$CACHE/work"/*/oci-* 2>/dev/null || true
}
trap cleanup EXIT

# ---- base image -----------------------------------------------------------------------------
# The "slim" variant, as debuerreotype-slimify makes it: dpkg leaves out docs, man pages and
# translations (copyright files stay), and those already installed are removed.
SLIM_EXCLUDES=('/usr/share/doc/*' '/usr/share/info/*' '/usr/share/linda/*'
  '/usr/share/lintian/overrides/*' '/usr/share/locale/*' '/usr/share/man/*'
  '/usr/share/doc/kde/HTML/*/*' '/usr/share/gnome/help/*/*' '/usr/share/omf/*/*-*.emf')
SLIM_INCLUDES=('/usr/share/doc/*/copyright' '/usr/share/doc/kde/HTML/C/*'
  '/usr/share/gnome/help/*/C/*' '/usr/share/locale/all_languages' '/usr/share/locale/currency/*'
  '/usr/share/locale/l10n/*' '/usr/share/locale/languages' '/usr/share/locale/locale.alias'
  '/usr/share/omf/*/*-C.emf')
slimify() {
  local r=$1 p dir keep=()
  {
    echo '# This is the "slim" variant of the Debian base image.'
    echo '# Many files which are normally unnecessary in containers are excluded,'
    echo '# and this configuration file keeps them that way.'
    echo
    printf 'path-exclude %s\n' "${SLIM_EXCLUDES[@]}"
    echo
    printf 'path-include %s\n' "${SLIM_INCLUDES[@]}"
  } >"$r/etc/dpkg/dpkg.cfg.d/docker"
  for p in "${SLIM_INCLUDES[@]}"; do keep+=(${keep[@]:+-o} -path "$p"); done
  for p in "${SLIM_EXCLUDES[@]}"; do
    [[ $p == *'/*' ]] || continue
    dir=$(dirname "$p")
    [ -d "$r$dir" ] || continue
    # Inside the rootfs (chroot), so that symlinks resolve there.
    chroot "$r" find "$dir" -depth -mindepth 1 -not \( "${keep[@]}" \) \
      -not \( -type d -o -type l \) -exec rm -f '{}' +
    while [ "$(chroot "$r" find "$dir" -depth -mindepth 1 \( -empty -o -xtype l \) \
      -exec rm -rf '{}' ';' -printf . | wc -c)" -gt 0 ]; do :; done
  done
}

ensure_base() {
  if [ -n "$(bh images -q "$BASE_IMAGE" 2>/dev/null)" ]; then
    echo "    $BASE_IMAGE is cached in $CACHE/storage"
    return
  fi
  local dir=$CACHE/base
  mkdir -p "$dir"
  if [ ! -f "$dir/rootfs.tar" ]; then
    rm -rf "$dir/rootfs"
    debootstrap --variant=minbase bookworm "$dir/rootfs" "$MIRROR"
    local r=$dir/rootfs
    # What the official image adds (debuerreotype's docker-* apt configuration).
    cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };

Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::GzipIndexes "true";' >"$r/etc/apt/apt.conf.d/docker-gzip-indexes"
    echo 'Acquire::Languages "none";' >"$r/etc/apt/apt.conf.d/docker-no-languages"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' \
      >"$r/etc/apt/apt.conf.d/docker-autoremove-suggests"
    # The official image's sources: the release, its updates and its security updates.
    rm -f "$r/etc/apt/sources.list"
    cat >"$r/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    slimify "$r"
    rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin \
      "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/archives/partial/*.deb
    # No device nodes or mount contents in the image (the runtime provides them).
    tar --numeric-owner -C "$r" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
      -cf "$dir/rootfs.tar.part" .
    mv "$dir/rootfs.tar.part" "$dir/rootfs.tar"
    rm -rf "$r"
  fi
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n' >"$dir/Containerfile"
  bh bud --isolation chroot --pull=never -t "$BASE_IMAGE" -f "$dir/Containerfile" "$dir"
}

# ---- measuring ------------------------------------------------------------------------------
# The image unpacked in the store, as buildah reports it ("130 MB": decimal units).
unpacked_size() { bh images --format '{{.Size}}' "$1" | tr -d ' '; }
# "<bytes> <layers>": the compressed layer blobs a push would upload (buildah's default gzip).
pushed_size() {
  local dir=$2
  rm -rf "$dir"
  bh push --quiet "$1" "oci:$dir" >/dev/null
  python3 - "$dir" <<'EOF'
import json, os, sys
d = sys.argv[1]
index = json.load(open(os.path.join(d, "index.json")))
algo, digest = index["manifests"][0]["digest"].split(":")
manifest = json.load(open(os.path.join(d, "blobs", algo, digest)))
print(sum(layer["size"] for layer in manifest["layers"]), len(manifest["layers"]))
EOF
  rm -rf "$dir"
}
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000000 }'; }

# ---- run ------------------------------------------------------------------------------------
step "base image $BASE_IMAGE"
ensure_base
step_done

step "base image size"
sizes=$(pushed_size "$BASE_IMAGE" "$CACHE/base-oci")
read -r BASE_PUSHED _ <<<"$sizes"
BASE_UNPACKED=$(unpacked_size "$BASE_IMAGE")
echo "    unpacked $BASE_UNPACKED, pushed $(mb "$BASE_PUSHED") MB"
step_done

if [ $# -gt 0 ]; then
  CASES=()
  for c in "$@"; do CASES+=("tests/e2e/cases/$c/"); done
else
  CASES=(tests/e2e/cases/*/)
fi

FAILURES=()
TABLE=()
for case_dir in "${CASES[@]}"; do
  name=$(basename "$case_dir")
  [ -f "$case_dir/Dockerfile" ] && [ -f "$case_dir/check" ] \
    || die "$case_dir needs a Dockerfile and a check file"
  check_cmd=$(cat "$case_dir/check")
  work=$CACHE/work/$name
  rm -rf "$work"
  mkdir -p "$work"

  step "$name: dockerfix"
  cp "$case_dir/Dockerfile" "$work/original.Dockerfile"
  for variant in fixed-safe fixed-unsafe; do
    flags=(--fix)
    [ "$variant" = fixed-unsafe ] && flags+=(--unsafe-fixes)
    rc=0
    "$BIN" check "${flags[@]}" --isolated - <"$case_dir/Dockerfile" \
      >"$work/$variant.Dockerfile" 2>"$work/$variant.log" || rc=$?
    # 1 only says that findings remain (those without a fix, or unsafe ones in safe mode).
    if [ "$rc" -gt 1 ]; then
      cat "$work/$variant.log" >&2
      FAILURES+=("$name/$variant: dockerfix check ${flags[*]} exited $rc")
    fi
  done
  for variant in "${VARIANTS[@]}"; do
    echo "---- $variant.Dockerfile"
    cat "$work/$variant.Dockerfile"
  done
  echo "----"
  if cmp -s "$work/original.Dockerfile" "$work/fixed-unsafe.Dockerfile"; then
    FAILURES+=("$name: dockerfix changed nothing, even with --unsafe-fixes")
  fi
  step_done

  declare -A PUSHED=()
  for variant in "${VARIANTS[@]}"; do
    image=$IMAGE_PREFIX/$name:$variant
    built=no checked=- unpacked=- pushed=0 layers=0

    step "$name: build $variant"
    IMAGES+=("$image")
    # --layers --no-cache: one layer per instruction, as `docker build` makes them (that is
    # what merging RUNs is about), and every RUN really runs. --pull=never: no registry.
    if bh bud --isolation chroot --pull=never --layers --no-cache \
      -f "$work/$variant.Dockerfile" -t "$image" "$case_dir"; then
      built=yes
    else
      FAILURES+=("$name/$variant: the build failed")
    fi
    step_done

    if [ "$built" = yes ]; then
      step "$name: check $variant"
      ctr=e2e-$name-$variant
      bh rm "$ctr" >/dev/null 2>&1 || true
      CONTAINERS+=("$ctr")
      if bh from --pull=never --name "$ctr" "$image" >/dev/null \
        && bh run "$ctr" -- sh -c "$check_cmd"; then
        checked=ok
      else
        checked=FAILED
        FAILURES+=("$name/$variant: the check \`$check_cmd\` failed")
      fi
      bh rm "$ctr" >/dev/null 2>&1 || true
      step_done

      step "$name: measure $variant"
      unpacked=$(unpacked_size "$image")
      sizes=$(pushed_size "$image" "$work/oci-$variant")
      read -r pushed layers <<<"$sizes"
      step_done
    fi
    PUSHED[$variant]=$pushed
    TABLE+=("$(printf '%-14s %-14s %-5s %-6s %6s %12s %12s %14s' "$name" "$variant" "$built" \
      "$checked" "$layers" "$unpacked" "$(mb "$pushed")" \
      "$(mb $((pushed > 0 ? pushed - BASE_PUSHED : 0)))")")
  done

  if [ "${PUSHED[original]}" -gt 0 ] && [ "${PUSHED[fixed-safe]}" -gt 0 ] \
    && [ "${PUSHED[fixed-safe]}" -gt $((PUSHED[original] + NOISE)) ]; then
    FAILURES+=("$name: the safe fix made the image larger (${PUSHED[fixed-safe]} > ${PUSHED[original]} + $NOISE bytes pushed)")
  fi
  if [ "${PUSHED[original]}" -gt 0 ] && [ "${PUSHED[fixed-unsafe]}" -gt 0 ] \
    && [ "${PUSHED[fixed-unsafe]}" -ge $((PUSHED[original] - NOISE)) ]; then
    FAILURES+=("$name: the unsafe fix did not make the image smaller (${PUSHED[fixed-unsafe]} >= ${PUSHED[original]} - $NOISE bytes pushed)")
  fi
done

TIMINGS+=("$(printf '%-44s %7ss' total "$(awk -v a="$RUN_T0" -v b="$EPOCHREALTIME" \
  'BEGIN { printf "%.1f", b - a }')")")

echo
echo "Sizes (MB = 10^6 bytes; pushed = compressed layer blobs; base $BASE_IMAGE:" \
  "unpacked $BASE_UNPACKED, pushed $(mb "$BASE_PUSHED") MB)"
printf '%-14s %-14s %-5s %-6s %6s %12s %12s %14s\n' case image built check layers \
  "unpacked" "pushed MB" "pushed-base MB"
printf '%s\n' "${TABLE[@]}"
echo
echo "Timings"
printf '%s\n' "${TIMINGS[@]}"
echo

if [ ${#FAILURES[@]} -gt 0 ]; then
  echo "e2e: FAILED"
  printf '  - %s\n' "${FAILURES[@]}"
  exit 1
fi
echo "e2e: passed (${#CASES[@]} case(s)): every image builds, its check passes, the fixes do not grow it"
