#!/usr/bin/env python3
"""Helpers of tests/e2e/apps.sh that are easier in Python than in bash.

  argv INSPECT.json                  the command the image runs (ENTRYPOINT + CMD), NUL-separated
  config ORIG.json FIXED.json [--user-may-change]
                                     the fixed image keeps ENTRYPOINT/CMD behaviour, ENV, WORKDIR,
                                     EXPOSE, HEALTHCHECK, USER, labels, volumes, stop signal
  list ROOT OUT.json                 the file tree under ROOT (paths, types, dpkg's packages)
  tree ORIG.json FIXED.json [--unsafe]
                                     the file trees differ only by allowed paths
  pushed OCI_DIR TAG                 "<bytes> <layers>": the compressed layer blobs of TAG
  steps BUILD.log DEPS_REGEX         "<cached steps> <steps> <deps: cached|rebuilt|none>"
  table RESULTS.tsv                  the results as a Markdown table

INSPECT.json is the output of `buildah inspect --type image`. Every check prints what differs
and exits 1 when something differs that may not.
"""

import json
import os
import re
import shlex
import stat
import sys

# ---- image config --------------------------------------------------------------------------

# Characters that make a shell-form command more than plain words when they stand outside quotes
# (expansions, globs, redirections, operators, comments, escapes), and inside double quotes.
SPECIAL_UNQUOTED = set("$`*?[]~<>|;&(){}#!\\\n")
SPECIAL_IN_DOUBLE = set("$`\\")


def plain_words(script):
    """True when sh would run the script as the words shlex finds (DF302's Safe case)."""
    quote = None
    for ch in script:
        if quote == "'":
            if ch == "'":
                quote = None
        elif quote == '"':
            if ch == '"':
                quote = None
            elif ch in SPECIAL_IN_DOUBLE:
                return False
        elif ch in "'\"":
            quote = ch
        elif ch in SPECIAL_UNQUOTED:
            return False
    return quote is None


def docker_config(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["Docker"]["config"] or {}


def run_argv(config):
    """What the container runs: ENTRYPOINT + CMD, as the runtime joins them."""
    return list(config.get("Entrypoint") or []) + list(config.get("Cmd") or [])


def behaviour(argv):
    """A command's argv with a plain `/bin/sh -c "words"` replaced by the words sh would run.

    `exec` is not added by sh for a single simple command in dash, but the process that runs is
    the same program with the same arguments; the difference (PID 1 is sh, signals) is what
    DF302 is about, so it is the one difference allowed here."""
    if len(argv) == 3 and argv[0] == "/bin/sh" and argv[1] == "-c" and plain_words(argv[2]):
        return shlex.split(argv[2], posix=True)
    return argv


def healthcheck_behaviour(hc):
    if not hc:
        return None
    test = list(hc.get("Test") or [])
    if test[:1] == ["CMD-SHELL"] and len(test) == 2:
        test = ["CMD"] + behaviour(["/bin/sh", "-c", test[1]])
    rest = {k: v for k, v in hc.items() if k != "Test"}
    return {"Test": test, **rest}


def cmd_config(orig_path, fixed_path, user_may_change):
    orig, fixed = docker_config(orig_path), docker_config(fixed_path)
    problems = []

    def same(what, a, b):
        if a != b:
            problems.append(f"{what}: {a!r} -> {b!r}")

    same("ENTRYPOINT+CMD (as run)", behaviour(run_argv(orig)), behaviour(run_argv(fixed)))
    same("ENV", sorted(orig.get("Env") or []), sorted(fixed.get("Env") or []))
    same("WORKDIR", orig.get("WorkingDir") or "", fixed.get("WorkingDir") or "")
    same("EXPOSE", sorted(orig.get("ExposedPorts") or {}), sorted(fixed.get("ExposedPorts") or {}))
    same("VOLUME", sorted(orig.get("Volumes") or {}), sorted(fixed.get("Volumes") or {}))
    same("LABEL", orig.get("Labels") or {}, fixed.get("Labels") or {})
    same("STOPSIGNAL", orig.get("StopSignal") or "", fixed.get("StopSignal") or "")
    same(
        "HEALTHCHECK",
        healthcheck_behaviour(orig.get("Healthcheck")),
        healthcheck_behaviour(fixed.get("Healthcheck")),
    )
    user_o, user_f = orig.get("User") or "", fixed.get("User") or ""
    if user_o != user_f:
        if user_may_change and user_o in ("", "root", "0", "0:0"):
            print(f"USER: {user_o or '(root)'} -> {user_f} (DF301, meant by the unsafe fix)")
        else:
            problems.append(f"USER: {user_o!r} -> {user_f!r}")
    for p in problems:
        print(p)
    return 1 if problems else 0


# ---- file trees -----------------------------------------------------------------------------

# Paths a fix may remove: what DF202 (apt lists), DF201's moved `apt-get clean` (apt's caches),
# DF208 (`pip --no-cache-dir`) and the npm rules leave out of the image, and nothing else.
MAY_VANISH = [
    r"/var/lib/apt/lists/.*",
    r"/var/cache/apt/.*",
    r"/root/\.cache(/pip(/.*)?)?",
    r"/root/\.npm(/.*)?",
]
# With unsafe fixes, also: apt's and dpkg's bookkeeping of the packages the fixed image no longer
# installs (DF203 --no-install-recommends, DF211 slim base), besides those packages' own files.
MAY_VANISH_UNSAFE = [
    r"/var/lib/dpkg/info/.*",
    r"/var/lib/dpkg/triggers/.*",
    r"/var/log/apt/.*",
]
# Files a package's maintainer scripts make (dpkg does not list them), allowed to vanish with it.
GENERATED_BY = {
    "ca-certificates": [
        r"/etc/ssl/certs/.*",
        r"/etc/ca-certificates\.conf",
        r"/usr/local/share/ca-certificates",
    ],
}
# Paths whose names change from one build to the next, whatever the Dockerfile: Go's build cache
# (content-addressed: its keys hash the inputs of each action) and npm's debug logs (named by
# the time of the run).
MAY_DIFFER = [r"/root/\.cache/go-build/.*", r"/root/\.npm/_logs/.*"]
# Paths a fix may add: the user DF301 creates (useradd's backup files of the account databases),
# and the .dockerignore DF102 creates, which `COPY . .` copies like any file of the context.
MAY_APPEAR_UNSAFE = [r"/etc/(passwd|group|shadow|gshadow|subuid|subgid)-", r".*/\.dockerignore"]


def walk(root):
    """{path: type} for every path under root (one file system; /proc, /sys, /dev left out)."""
    out = {}
    root = root.rstrip("/")
    for dirpath, dirnames, filenames in os.walk(root):
        rel = dirpath[len(root) :] or "/"
        if rel in ("/proc", "/sys", "/dev"):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            mode = os.lstat(full).st_mode
            kind = "d" if stat.S_ISDIR(mode) else "l" if stat.S_ISLNK(mode) else "f"
            out[os.path.join(rel, name)] = kind
    return out


def dpkg_packages(root):
    """{package: [its files]} of the packages dpkg has installed under root."""
    pkgs = {}
    status = os.path.join(root, "var/lib/dpkg/status")
    if not os.path.exists(status):
        return pkgs
    name = None
    with open(status, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("Package: "):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("Status: ") and line.rstrip().endswith(" installed") and name:
                pkgs[name] = sorted(package_files(root, name))
    return pkgs


def package_files(root, pkg):
    info = os.path.join(root, "var/lib/dpkg/info")
    files = set()
    for cand in (pkg, pkg + ":amd64", pkg + ":arm64", pkg + ":all"):
        p = os.path.join(info, cand + ".list")
        if os.path.exists(p):
            with open(p, encoding="utf-8", errors="replace") as f:
                files.update(line.rstrip("\n") for line in f if line.strip())
    return files


def cmd_list(root, out):
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"paths": walk(root), "packages": dpkg_packages(root)}, f)
    return 0


def cmd_tree(orig_path, fixed_path, unsafe):
    with open(orig_path, encoding="utf-8") as f:
        orig_list = json.load(f)
    with open(fixed_path, encoding="utf-8") as f:
        fixed_list = json.load(f)
    orig, fixed = orig_list["paths"], fixed_list["paths"]
    orig_pkgs, fixed_pkgs = orig_list["packages"], fixed_list["packages"]
    vanish = MAY_DIFFER + MAY_VANISH + (MAY_VANISH_UNSAFE if unsafe else [])
    appear = MAY_DIFFER + (MAY_APPEAR_UNSAFE if unsafe else [])
    appear_re = re.compile("|".join(f"(?:{p})" for p in appear) + "$")
    dropped_files = set()
    dropped = sorted(set(orig_pkgs) - set(fixed_pkgs))
    if dropped:
        if unsafe:
            print(f"packages no longer installed: {' '.join(dropped)}")
            for pkg in dropped:
                dropped_files |= set(orig_pkgs[pkg])
                vanish += GENERATED_BY.get(pkg, [])
        else:
            print(f"packages no longer installed (not allowed for safe fixes): {' '.join(dropped)}")
    added_pkgs = sorted(set(fixed_pkgs) - set(orig_pkgs))
    if added_pkgs:
        print(f"packages the original does not install: {' '.join(added_pkgs)}")
    vanish_re = re.compile("|".join(f"(?:{p})" for p in vanish) + "$")
    bad = []
    allowed = 0
    for path in sorted(set(orig) - set(fixed)):
        if vanish_re.match(path) or path in dropped_files:
            allowed += 1
        else:
            bad.append(f"missing: {path}")
    for path in sorted(set(fixed) - set(orig)):
        if appear_re.match(path):
            allowed += 1
        else:
            bad.append(f"added: {path}")
    for path in sorted(set(orig) & set(fixed)):
        if orig[path] != fixed[path]:
            bad.append(f"type {orig[path]} -> {fixed[path]}: {path}")
    print(f"{len(orig)} paths before, {len(fixed)} after; {allowed} allowed differences")
    for line in bad[:40]:
        print(line)
    if len(bad) > 40:
        print(f"... and {len(bad) - 40} more")
    return 1 if bad or (dropped and not unsafe) else 0


# ---- sizes, build logs, table ---------------------------------------------------------------


def cmd_pushed(oci_dir, tag):
    def blob(digest):
        algo, hexd = digest.split(":")
        return os.path.join(oci_dir, "blobs", algo, hexd)

    with open(os.path.join(oci_dir, "index.json"), encoding="utf-8") as f:
        index = json.load(f)
    for m in index["manifests"]:
        if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == tag:
            with open(blob(m["digest"]), encoding="utf-8") as f:
                manifest = json.load(f)
            layers = manifest["layers"]
            print(sum(layer["size"] for layer in layers), len(layers))
            return 0
    print(f"no manifest tagged {tag} in {oci_dir}", file=sys.stderr)
    return 1


def cmd_steps(log_path, deps_regex):
    """Which build steps buildah took from its cache ("Using cache")."""
    deps = re.compile(deps_regex)
    steps, cached, deps_state = 0, 0, "none"
    current, current_cached = None, False

    def close():
        nonlocal deps_state
        if current is not None and deps.search(current):
            # The last dependency step decides (a Dockerfile has one in practice).
            deps_state = "cached" if current_cached else "rebuilt"

    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"STEP \d+/\d+: (.*)", line)
            if m:
                close()
                current, current_cached = m.group(1), False
                steps += 1
            elif "Using cache" in line and current is not None:
                if not current_cached:
                    cached += 1
                current_cached = True
    close()
    print(cached, steps, deps_state)
    return 0


def cmd_table(tsv):
    with open(tsv, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    header = [
        "app",
        "Dockerfile",
        "build s",
        "layers",
        "unpacked MB",
        "pushed MB",
        "pushed above base MB",
        "code-only rebuild: cached steps",
        "deps layer",
        "rebuild s",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "argv":
        sys.stdout.write("".join(a + "\0" for a in run_argv(docker_config(args[0]))))
        return 0
    if cmd == "config":
        return cmd_config(args[0], args[1], "--user-may-change" in args[2:])
    if cmd == "list":
        return cmd_list(args[0], args[1])
    if cmd == "tree":
        return cmd_tree(args[0], args[1], "--unsafe" in args[2:])
    if cmd == "pushed":
        return cmd_pushed(args[0], args[1])
    if cmd == "steps":
        return cmd_steps(args[0], args[1])
    if cmd == "table":
        return cmd_table(args[0])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
