# syntax=docker/dockerfile:1
# dockerfix in a container, for CI jobs that run images rather than install tools:
#
#   docker build -t dockerfix .
#   docker run --rm -v "$PWD:/work" dockerfix check .
#
# Built from source in a Rust image (cargo's registry and target folder in cache mounts, so a
# rebuild compiles only what changed), shipped on a distroless base with the C runtime the
# binary links against, as a user that is not root. To package a binary built elsewhere (a
# release archive, the e2e test), put it at the context's root as `dockerfix` and build with
# `--build-arg BINARY_FROM=prebuilt`. The image fetches nothing at run time.
# `dockerfix check` and `dockerfix format --check` pass on this file (tests/integrations.rs).
#
ARG RUST_IMAGE=rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot
ARG BINARY_FROM=from-source

FROM ${RUST_IMAGE} AS from-source
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# Cargo.toml names these targets (they run without the test harness): cargo refuses a
# manifest whose named targets are missing, even to build the binary alone.
COPY benches/parse.rs benches/server.rs ./benches/
COPY tests/exec_form_oracle.rs ./tests/
COPY src ./src
# The context has no .git: `--build-arg GIT_COMMIT=$(git rev-parse HEAD)`.
# GIT_COMMIT the commit `dockerfix --version` names (empty: none)
ARG GIT_COMMIT=""
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    DOCKERFIX_BUILD_COMMIT="$GIT_COMMIT" cargo build --release --locked --bin dockerfix \
    && install -D -m 0755 target/release/dockerfix /out/dockerfix

FROM scratch AS prebuilt
COPY --chmod=0755 dockerfix /out/dockerfix

FROM ${BINARY_FROM} AS binary

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="dockerfix" \
    org.opencontainers.image.description="A Dockerfile formatter, linter and auto-fixer that never corrupts a file" \
    org.opencontainers.image.source="https://github.com/dockerfix/dockerfix" \
    org.opencontainers.image.licenses="MIT OR Apache-2.0"
COPY --from=binary /out/dockerfix /usr/local/bin/dockerfix
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/dockerfix"]
CMD ["check", "."]
