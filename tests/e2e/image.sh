#!/usr/bin/env bash
# The project's own container image (the Dockerfile at the repository's root), built with buildah
# and run on sample Dockerfiles: it must pass `dockerfix check` and `format --check` itself, build,
# run as a user that is not root with its ENTRYPOINT and CMD in exec form, and lint a sample
# mounted at /work (a finding: exit 1; a clean file: exit 0).
#
# The binary is the one cargo built for the test run (DOCKERFIX_BIN), put in the context and
# used through the Dockerfile's `BINARY_FROM=prebuilt` stage, and the runtime base is the e2e
# suite's debootstrap image (RUNTIME_IMAGE): CI has no Rust image nor distroless to pull, and
# compiling dockerfix a second time inside the build would cost minutes on two cores. The
# from-source stage is what `docker build .` runs; it is linted here, not built.
#
#   sudo DOCKERFIX_BIN=target/debug/dockerfix bash tests/e2e/image.sh
# Exit codes: 0 proven, 1 an assertion failed, 2 missing tools or binary.
set -euo pipefail

source "$(dirname "$0")/lib.sh"

IMAGE=$IMAGE_PREFIX/self:test
fail() { echo "e2e image: $*" >&2; exit 1; }

step "the Dockerfile passes its own checks"
"$BIN" check --isolated Dockerfile || fail "dockerfix check finds something in Dockerfile"
"$BIN" format --check --isolated Dockerfile || fail "dockerfix format --check would change Dockerfile"
step_done

step "base image $BASE_IMAGE"
ensure_base
step_done

step "build the image"
ctx=$CACHE/work/self-image
rm -rf "$ctx"
mkdir -p "$ctx"
cp Dockerfile .dockerignore Cargo.toml Cargo.lock "$ctx/"
cp -r src "$ctx/src"
cp "$BIN" "$ctx/dockerfix"
# Outside what .dockerignore lets in: must not reach the image.
echo "secret" >"$ctx/.env"
IMAGES+=("$IMAGE")
bh bud --isolation chroot --pull=never --layers=false -t "$IMAGE" \
  --build-arg BINARY_FROM=prebuilt --build-arg "RUNTIME_IMAGE=$BASE_IMAGE" \
  -f "$ctx/Dockerfile" "$ctx" >"$CACHE/work/self-image.log" 2>&1 \
  || { tail -n 40 "$CACHE/work/self-image.log" >&2; fail "buildah bud failed"; }
step_done

step "image config"
config=$(bh inspect --type image "$IMAGE")
python3 - "$config" <<'PY' || fail "image config"
import json, sys
c = json.loads(sys.argv[1])["OCIv1"]["config"]
print("    ", json.dumps(c))
assert c.get("User") == "65532:65532", c.get("User")
assert c.get("Entrypoint") == ["/usr/local/bin/dockerfix"], c.get("Entrypoint")
assert c.get("Cmd") == ["check", "."], c.get("Cmd")
assert c.get("WorkingDir") == "/work", c.get("WorkingDir")
assert c["Labels"]["org.opencontainers.image.title"] == "dockerfix", c["Labels"]
PY
step_done

step "run on sample Dockerfiles"
samples=$CACHE/work/self-samples
rm -rf "$samples"
mkdir -p "$samples/bad" "$samples/good"
printf 'FROM debian:12\nRUN apt-get update && apt-get install curl\n' >"$samples/bad/Dockerfile"
printf 'FROM debian:12\nUSER 1000\nCMD ["true"]\n' >"$samples/good/Dockerfile"
ctr=$(bh from --pull=never "$IMAGE")
CONTAINERS+=("$ctr")
# As the image's entrypoint, command and user would run it: `docker run -v $PWD:/work IMAGE`.
in_image() {
  local dir=$1
  shift
  bh run --isolation chroot -v "$dir:/work:ro" "$ctr" -- /usr/local/bin/dockerfix "$@"
}
who=$(bh run --isolation chroot "$ctr" -- /usr/bin/id -u)
[ "$who" = 65532 ] || fail "the container runs as uid $who, not 65532"
rc=0
out=$(in_image "$samples/bad" check --output-format concise .) || rc=$?
echo "$out"
[ "$rc" = 1 ] || fail "check on a file with findings exited $rc, not 1"
grep -q 'Dockerfile:2:.* DF204 ' <<<"$out" || fail "no DF204 in the output"
in_image "$samples/good" check . || fail "check on a clean file failed"
in_image "$samples/good" format --check . || fail "format --check on a clean file failed"
bh run --isolation chroot "$ctr" -- /bin/sh -c 'test ! -e /.env && test ! -e /work/.env' \
  || fail "a file .dockerignore excludes reached the image"
version=$(bh run --isolation chroot "$ctr" -- /usr/local/bin/dockerfix --version)
echo "    $version"
[ "$version" = "$("$BIN" --version)" ] || fail "the image's dockerfix is not the binary under test"
step_done

echo
echo "e2e image: proven"
printf '%s\n' "${TIMINGS[@]}"
