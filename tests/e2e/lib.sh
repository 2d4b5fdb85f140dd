# Shared by the end-to-end scripts (run.sh: the cases, apps.sh: the apps); sourced, not run.
# The base image localhost/debian:bookworm-slim (debootstrap, made like the official image), the
# buildah store under ${E2E_CACHE:-/tmp/dockerfix-e2e}, the lock that keeps two runs apart,
# timings, cleanup of what a run made, and the size measurements. See run.sh for the details.
# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
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
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, and buildah with its own store)"
[ -x "$BIN" ] || die "no dockerfix binary at $BIN (run: cargo build --release --bin dockerfix)"

mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
if ! flock -n 9; then
  echo "e2e: another run holds $CACHE/lock; waiting"
  flock 9
fi

# The storage driver: overlay where the kernel lets us mount an overlay (about 8 times faster
# than vfs, which copies the whole root file system for every layer), else vfs. Images, layers
# and so sizes are the same with both. E2E_STORAGE_DRIVER=vfs|overlay chooses.
overlay_works() {
  local d=$CACHE/overlay-probe rc=0
  rm -rf "$d"
  mkdir -p "$d/lower" "$d/upper" "$d/work" "$d/merged"
  mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" \
    "$d/merged" 2>/dev/null || rc=1
  [ "$rc" = 0 ] && umount "$d/merged"
  rm -rf "$d"
  return "$rc"
}
DRIVER=${E2E_STORAGE_DRIVER:-auto}
if [ "$DRIVER" = auto ]; then
  if overlay_works; then DRIVER=overlay; else DRIVER=vfs; fi
fi
# A store of our own under the cache (one per driver): the run never touches other images on
# the machine, and removing the cache folder removes everything the run made.
case $DRIVER in
  vfs) BH=(buildah --storage-driver vfs --root "$CACHE/storage" --runroot "$CACHE/runroot") ;;
  overlay) BH=(buildah --storage-driver overlay --root "$CACHE/storage-overlay"
    --runroot "$CACHE/runroot-overlay") ;;
  *) die "E2E_STORAGE_DRIVER must be vfs or overlay, not $DRIVER" ;;
esac
bh() { "${BH[@]}" "$@"; }
export BUILDAH_ISOLATION=chroot
echo "e2e: buildah $(buildah --version | awk '{ print $3 }'), storage driver $DRIVER, cache $CACHE"

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
    echo "    $BASE_IMAGE is cached ($DRIVER store under $CACHE)"
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

# ---- language base images -------------------------------------------------------------------
# Stand-ins for the official python, node and golang images, built on $BASE_IMAGE from Debian's
# packages (tests/e2e/bases/*/Containerfile says how each differs from the official one), each
# carrying the host's extra CA certificates (the TLS proxy in front of the package registries).
# "dir tag" pairs, in build order (python-full builds on python-slim).
LANG_BASES=(
  "python-slim localhost/python:3.11-slim"
  "python-full localhost/python:3.11"
  "node-slim localhost/node:18-slim"
  "golang localhost/golang:1.19"
)
EXTRA_CA_DIR=${E2E_EXTRA_CA_DIR:-/usr/local/share/ca-certificates}

# Rebuilt when its Containerfile, the CAs or the image below it change (a recipe hash kept
# beside the store), otherwise taken from the store.
ensure_lang_bases() {
  local entry dir tag ctx recipe parent
  for entry in "${LANG_BASES[@]}"; do
    read -r dir tag <<<"$entry"
    ctx=$CACHE/bases/$dir
    rm -rf "$ctx"
    mkdir -p "$ctx/extra-ca"
    cp "tests/e2e/bases/$dir/Containerfile" "$ctx/"
    find "$EXTRA_CA_DIR" -maxdepth 1 -name '*.crt' -exec cp {} "$ctx/extra-ca/" \; 2>/dev/null || true
    parent=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$ctx/Containerfile")
    recipe=$({
      bh images -q --no-trunc "$parent" 2>/dev/null
      cat "$ctx/Containerfile"
      cat "$ctx"/extra-ca/*.crt 2>/dev/null || true
    } | sha256sum | cut -d' ' -f1)
    if [ -n "$(bh images -q "$tag" 2>/dev/null)" ] \
      && [ "$(cat "$CACHE/bases/$dir.$DRIVER.recipe" 2>/dev/null)" = "$recipe" ]; then
      echo "    $tag is cached"
      continue
    fi
    echo "    building $tag"
    bh bud --isolation chroot --pull=never -t "$tag" -f "$ctx/Containerfile" "$ctx" \
      >"$CACHE/bases/$dir.log" 2>&1 \
      || { tail -n 30 "$CACHE/bases/$dir.log" >&2; echo "e2e: building $tag failed" >&2; exit 1; }
    echo "$recipe" >"$CACHE/bases/$dir.$DRIVER.recipe"
  done
}
