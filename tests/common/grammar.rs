//! A structure-aware generator of Dockerfiles and build contexts, driven by a stream of bytes.
//!
//! Shared by the cargo-fuzz target `fuzz/fuzz_targets/pipeline.rs` (libFuzzer's bytes) and by
//! `tests/pipeline_props.rs` (proptest's byte vectors), so the grammar is written once. Every
//! choice reads from [`Choices`]; when the bytes run out every choice takes its default (the
//! first alternative, zero repetitions), so any byte string is a valid, finite program.
//!
//! The alternatives lean towards what the rules parse: image references with odd tags and
//! digests, flags with extreme values, `${...}` substitutions, heredocs, and shell bodies made
//! of the commands of the package managers, downloaders and user tools the rules know.
#![allow(dead_code)]

use std::path::Path;

/// Bounded choices read from a byte slice; defaults once the bytes run out.
pub struct Choices<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Choices<'a> {
    pub fn new(data: &'a [u8]) -> Choices<'a> {
        Choices { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn byte(&mut self) -> u8 {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    /// A number in `0..n` (0 when `n` is 0 or the bytes ran out).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        if n <= 256 {
            return usize::from(self.byte()) % n;
        }
        let v = u32::from_le_bytes([self.byte(), self.byte(), self.byte(), 0]);
        v as usize % n
    }

    /// True with probability about `1/n` (false when the bytes ran out).
    pub fn one_in(&mut self, n: usize) -> bool {
        !self.is_empty() && self.below(n) == n - 1
    }

    pub fn flip(&mut self) -> bool {
        self.below(2) == 1
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn pick_string(&mut self, items: &[String]) -> String {
        items[self.below(items.len())].clone()
    }
}

/// A generated Dockerfile and, optionally, the files of its build context.
#[derive(Debug, Clone)]
pub struct Generated {
    pub dockerfile: String,
    /// Context-relative paths and contents (a path ending in `/` is an empty folder).
    pub context: Option<Vec<(String, String)>>,
}

/// Writes a generated context under `dir` (which must exist).
pub fn write_context(dir: &Path, files: &[(String, String)]) -> std::io::Result<()> {
    for (rel, content) in files {
        let path = dir.join(rel);
        if rel.ends_with('/') {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, content)?;
    }
    Ok(())
}

/// A Dockerfile and maybe a build context, from the bytes.
pub fn generate(data: &[u8]) -> Generated {
    let mut c = Choices::new(data);
    let with_context = c.flip();
    let dockerfile = dockerfile(&mut c);
    let context = with_context.then(|| context_files(&mut c));
    Generated {
        dockerfile,
        context,
    }
}

// ---------------------------------------------------------------------------------------------
// Values

const HUGE: &[&str] = &[
    "4294967296",
    "18446744073709551616",
    "99999999999999999999999999999",
    "-1",
    "0",
    "00000000000000000001",
    "2147483648",
    "-9223372036854775809",
];

const UNICODE: &[&str] = &[
    "é",
    "ü",
    "日本",
    "\u{1F600}",
    "\u{200b}",
    "\u{feff}",
    "ß",
    "İ",
];

/// An extreme value: huge numbers, empty, very long, unicode.
fn extreme(c: &mut Choices) -> String {
    match c.below(6) {
        0 => c.pick(HUGE).to_string(),
        1 => String::new(),
        2 => {
            let unit = c.pick(&["a", "9", "-", ".", "/", "é", "${A}", "=", ","]);
            unit.repeat(1 + c.below(600))
        }
        3 => c.pick(UNICODE).repeat(1 + c.below(4)),
        4 => format!("{}.{}", c.pick(HUGE), c.pick(HUGE)),
        _ => c
            .pick(&[".", "..", "-", "=", ":", "@", "/", "*", "\"\"", "''", " "])
            .to_string(),
    }
}

fn var_name(c: &mut Choices) -> String {
    match c.below(10) {
        0 => {
            let odd: String = extreme(c)
                .chars()
                .filter(|ch| ch.is_alphanumeric() || *ch == '_')
                .take(200)
                .collect();
            format!("X{odd}")
        }
        _ => c
            .pick(&[
                "BASE",
                "V",
                "VERSION",
                "PYTHON_VERSION",
                "NODE_ENV",
                "TARGETPLATFORM",
                "BUILDPLATFORM",
                "HOME",
                "PATH",
                "DEBIAN_FRONTEND",
                "PIP_NO_CACHE_DIR",
                "API_KEY",
                "PASSWORD",
                "SECRET_TOKEN",
                "AWS_SECRET_ACCESS_KEY",
                "a",
                "_",
                "USER",
                "APP_HOME",
                "GOPATH",
            ])
            .to_string(),
    }
}

/// `$A`, `${A}`, `${A:-...}` nested up to `depth`.
fn substitution(c: &mut Choices, depth: usize) -> String {
    let name = var_name(c);
    if depth == 0 || c.below(3) == 0 {
        return if c.flip() {
            format!("${name}")
        } else {
            format!("${{{name}}}")
        };
    }
    let op = c.pick(&[
        ":-", ":+", "-", "+", ":?", "#", "##", "%", "%%", "/", "//", "",
    ]);
    let inner = if c.flip() {
        substitution(c, depth - 1)
    } else {
        word(c)
    };
    let tail = if op.starts_with('/') {
        format!("/{}", word(c))
    } else {
        String::new()
    };
    format!("${{{name}{op}{inner}{tail}}}")
}

/// A plain word (no spaces), sometimes odd.
fn word(c: &mut Choices) -> String {
    match c.below(12) {
        0 => extreme(c).replace([' ', '\n'], ""),
        1 => substitution(c, 3),
        _ => c
            .pick(&[
                "x",
                "app",
                "/app",
                "/usr/local/bin",
                "1.2.3",
                "latest",
                "main",
                "true",
                "--",
                "-",
                ".",
                "./",
                "*",
                "/tmp/x",
                "~",
                "a=b",
                "3.12",
                "${V}",
            ])
            .to_string(),
    }
}

fn path_word(c: &mut Choices) -> String {
    match c.below(8) {
        0 => word(c),
        _ => c
            .pick(&[
                ".",
                "./",
                "/app",
                "/app/",
                "requirements.txt",
                "requirements*.txt",
                "package.json",
                "package*.json",
                "package-lock.json",
                "yarn.lock",
                "pnpm-lock.yaml",
                "go.mod",
                "go.sum",
                "Gemfile",
                "Gemfile.lock",
                "composer.json",
                "composer.lock",
                "pyproject.toml",
                "poetry.lock",
                "Pipfile",
                "Pipfile.lock",
                "Cargo.toml",
                "src/",
                "vendor/",
                "node_modules",
                ".env",
                "id_rsa",
                "*.pem",
                "..",
                "../x",
                "/",
                "https://example.com/a.tar.gz",
                "http://x/y.zip",
                "git@github.com:a/b.git",
                "app.py",
                "entrypoint.sh",
                "dist",
                "[a-z]*",
            ])
            .to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Images

fn image_ref(c: &mut Choices, stages: &[String]) -> String {
    if !stages.is_empty() && c.below(4) == 0 {
        return c.pick_string(stages);
    }
    let repo = match c.below(14) {
        0 => format!("${}", var_name(c)),
        1 => format!("${{BASE:-{}}}", c.pick(&["python", "node", "debian"])),
        2 => substitution(c, 3),
        3 => extreme(c).replace([' ', '\n'], ""),
        _ => c
            .pick(&[
                "python",
                "openjdk",
                "node",
                "debian",
                "ubuntu",
                "alpine",
                "golang",
                "ruby",
                "php",
                "nginx",
                "x",
                "scratch",
                "registry:5000/a/b",
                "localhost:5000/img",
                "ghcr.io/o/r",
                "docker.io/library/python",
                "mcr.microsoft.com/dotnet/sdk",
                "eclipse-temurin",
                "amazoncorretto",
                "centos",
                "fedora",
                "rockylinux",
                "opensuse/leap",
                "busybox",
                "PYTHON",
                "a/b/c/d/e",
                "gcr.io/distroless/python3",
                "redhat/ubi9-minimal",
            ])
            .to_string(),
    };
    let tag = match c.below(4) {
        0 => String::new(),
        1 => format!(":{}", extreme(c).replace([' ', '\n'], "")),
        _ => format!(
            ":{}",
            c.pick(&[
                "4294967296",
                "3.",
                ".3",
                "-slim",
                "3.12-slim-bookworm",
                "lts",
                "latest",
                "3.12",
                "3",
                "20-alpine",
                "17-jdk",
                "17-jre-slim",
                "8u4294967296",
                "jdk-4294967296",
                "3..12",
                "3.12-",
                "-",
                ".",
                "slim",
                "bookworm",
                "1.22-alpine3.19",
                "${V}",
                "$V-slim",
                "${V:-3.12}-slim",
                "tag",
                "0",
                "99999999999999999999.1",
                "3.12.4294967296",
                "18446744073709551616-slim",
                "ü",
                "3.1é",
                "latest@sha256:abc",
                "windowsservercore-ltsc2022",
                "11-jre-slim-buster",
                "jammy",
            ])
        ),
    };
    let digest = match c.below(6) {
        0 => format!(
            "@sha256:{}",
            "0123456789abcdef"
                .repeat(4)
                .get(..c.below(65))
                .unwrap_or("")
        ),
        1 => format!("@{}", extreme(c).replace([' ', '\n'], "")),
        _ => String::new(),
    };
    format!("{repo}{tag}{digest}")
}

// ---------------------------------------------------------------------------------------------
// Shell

struct Shell<'a> {
    esc: char,
    /// Continuation with the escape character and a newline.
    cont: &'a str,
}

fn packages(c: &mut Choices, pinned: &str) -> String {
    let n = 1 + c.below(4);
    let mut out = Vec::new();
    for _ in 0..n {
        let name = match c.below(10) {
            0 => extreme(c).replace([' ', '\n'], ""),
            1 => format!("${}", var_name(c)),
            _ => c
                .pick(&[
                    "curl",
                    "build-essential",
                    "gcc",
                    "git",
                    "ca-certificates",
                    "python3",
                    "python3-pip",
                    "libpq-dev",
                    "wget",
                    "flask",
                    "requests",
                    "numpy",
                    "django",
                    "express",
                    "typescript",
                    "nodemon",
                    "bundler",
                    "make",
                    "g++",
                    "openssl",
                    "sudo",
                    "gosu",
                ])
                .to_string(),
        };
        let ver = match c.below(5) {
            0 => format!(
                "{pinned}{}",
                c.pick(&["1.2", "1.2.*", "", "4294967296", "1.2-3ubuntu1"])
            ),
            1 => format!("{pinned}{}", extreme(c).replace([' ', '\n'], "")),
            _ => String::new(),
        };
        out.push(format!("{name}{ver}"));
    }
    out.join(" ")
}

fn flags(c: &mut Choices, all: &[&str]) -> String {
    let mut out = String::new();
    for _ in 0..c.below(4) {
        out.push(' ');
        out.push_str(c.pick(all));
    }
    out
}

fn url(c: &mut Choices) -> String {
    match c.below(5) {
        0 => format!("https://{}", extreme(c).replace([' ', '\n'], "")),
        1 => format!("https://example.com/{}", substitution(c, 2)),
        _ => c
            .pick(&[
                "https://example.com/install.sh",
                "https://get.example.com",
                "http://x/a.tar.gz",
                "https://github.com/a/b/releases/download/v1/b.tar.gz",
                "https://example.com/a.zip",
                "https://deb.nodesource.com/setup_20.x",
                "ftp://x/y",
                "https://x/y.deb",
            ])
            .to_string(),
    }
}

/// One simple command (or a compound one when `depth` allows).
fn command(c: &mut Choices, depth: usize, sh: &Shell) -> String {
    if depth > 0 && c.below(8) == 0 {
        return compound(c, depth - 1, sh);
    }
    let prefix = match c.below(12) {
        0 => format!("{}={} ", var_name(c), word(c)),
        1 => "DEBIAN_FRONTEND=noninteractive ".to_string(),
        2 => c
            .pick(&[
                "sudo ",
                "exec ",
                "gosu app ",
                "su-exec 1000 ",
                "time ",
                "command ",
                "env A=1 ",
            ])
            .to_string(),
        _ => String::new(),
    };
    let body = match c.below(24) {
        0 | 1 => {
            let tool = c.pick(&[
                "apt-get",
                "apt",
                "apt-get -q",
                "apt-get -qq",
                "/usr/bin/apt-get",
                "aptitude",
            ]);
            match c.below(6) {
                0 => format!(
                    "{tool} update{}",
                    flags(c, &["-y", "-q", "-qq", "--fix-missing"])
                ),
                1 | 2 => format!(
                    "{tool} install{} {}",
                    flags(
                        c,
                        &[
                            "-y",
                            "--yes",
                            "-qq",
                            "--no-install-recommends",
                            "--assume-yes",
                            "-o Dpkg::Options::=--force-confnew",
                            "--install-recommends",
                            "-o APT::Install-Recommends=0",
                            "--",
                            "-yq",
                            "--allow-unauthenticated",
                        ]
                    ),
                    packages(c, "=")
                ),
                3 => format!(
                    "{tool} {}",
                    c.pick(&[
                        "clean",
                        "autoclean",
                        "autoremove -y",
                        "dist-upgrade -y",
                        "upgrade",
                        "remove -y gcc",
                        "purge -y --auto-remove gcc"
                    ])
                ),
                4 => format!("{tool}-get install -y {}", packages(c, "=")),
                _ => tool.to_string(),
            }
        }
        2 => format!(
            "rm -{} {}",
            c.pick(&["rf", "fr", "r", "f", "rf --"]),
            c.pick(&[
                "/var/lib/apt/lists/*",
                "/var/lib/apt/lists",
                "/var/cache/apk/*",
                "/root/.cache/pip",
                "~/.cache",
                "/tmp/*",
                "/var/cache/dnf",
                "/var/cache/yum",
                "*.tar.gz",
                "/",
                "\"$HOME/.npm\"",
            ])
        ),
        3 => format!(
            "apk {}{} {}",
            c.pick(&[
                "add",
                "add --update",
                "del",
                "update",
                "upgrade",
                "add --virtual .build-deps"
            ]),
            flags(
                c,
                &[
                    "--no-cache",
                    "--update",
                    "-U",
                    "--quiet",
                    "--no-progress",
                    "--virtual=.deps"
                ]
            ),
            packages(c, "=")
        ),
        4 => format!(
            "{} {}{} {}",
            c.pick(&[
                "dnf",
                "yum",
                "microdnf",
                "zypper",
                "tdnf",
                "zypper --non-interactive"
            ]),
            c.pick(&[
                "install",
                "in",
                "clean all",
                "update",
                "makecache",
                "remove",
                "-y install"
            ]),
            flags(
                c,
                &[
                    "-y",
                    "--setopt=install_weak_deps=False",
                    "--nodocs",
                    "-n",
                    "--no-recommends",
                    "--assumeyes"
                ]
            ),
            packages(c, "-")
        ),
        5 | 6 => format!(
            "{} install{} {}",
            c.pick(&[
                "pip",
                "pip3",
                "python -m pip",
                "python3 -m pip",
                "uv pip",
                "pip3.12",
                "/usr/local/bin/pip"
            ]),
            flags(
                c,
                &[
                    "--no-cache-dir",
                    "-r requirements.txt",
                    "-r requirements-dev.txt",
                    "--requirement=requirements.txt",
                    "-e .",
                    ".[extra]",
                    "'.[dev,test]'",
                    "--user",
                    "--upgrade",
                    "-U pip",
                    "--no-deps",
                    "-c constraints.txt",
                    "--system",
                    "--break-system-packages",
                    "-r",
                    "--index-url=https://x",
                ]
            ),
            packages(c, "==")
        ),
        7 => c
            .pick(&[
                "poetry install --no-root",
                "poetry install --only main --no-interaction",
                "pipenv install --deploy --system",
                "pipenv install",
                "uv sync --frozen",
                "pip wheel -w /wheels -r requirements.txt",
                "poetry config virtualenvs.create false",
                "pip cache purge",
                "uv pip install --system -r requirements.txt",
            ])
            .to_string(),
        8 | 9 => format!(
            "{} {}{}",
            c.pick(&["npm", "yarn", "pnpm", "npx", "corepack"]),
            c.pick(&[
                "install",
                "ci",
                "i",
                "add",
                "global add",
                "install -g",
                "run build",
                "cache clean --force",
                "prune --production",
                "enable"
            ]),
            flags(
                c,
                &[
                    "--production",
                    "--omit=dev",
                    "--frozen-lockfile",
                    "--immutable",
                    "-g",
                    "--global",
                    "--only=production",
                    "--no-audit",
                    "--ignore-scripts",
                    "typescript",
                    "npm@latest",
                    "--prefer-offline",
                    "--legacy-peer-deps",
                ]
            )
        ),
        10 => format!(
            "{} {}",
            c.pick(&[
                "gem install",
                "bundle install",
                "bundle config set",
                "bundle"
            ]),
            c.pick(&[
                "bundler -v 2.4",
                "--without development test",
                "--jobs 4",
                "without 'dev'",
                "rails",
                "--no-document",
                "--deployment",
                ""
            ])
        ),
        11 => format!(
            "{} {}",
            c.pick(&[
                "go build",
                "go install",
                "go mod download",
                "go get",
                "CGO_ENABLED=0 go build",
                "cargo build",
                "cargo install",
                "composer install",
                "composer require"
            ]),
            c.pick(&[
                "-o /out/app ./...",
                "x@latest",
                "--release",
                "--path .",
                "--no-dev --optimize-autoloader",
                "-ldflags='-s -w' .",
                "",
                "-trimpath"
            ])
        ),
        12 | 13 => {
            let tool = c.pick(&["curl", "wget"]);
            let f = if tool == "curl" {
                flags(
                    c,
                    &[
                        "-fsSL",
                        "-o /tmp/x",
                        "-O",
                        "--output-dir /tmp",
                        "-k",
                        "--insecure",
                        "-L",
                        "-sS",
                        "--retry 4294967296",
                        "-o",
                        "--output=/x",
                        "-J",
                    ],
                )
            } else {
                flags(
                    c,
                    &[
                        "-q",
                        "-O /tmp/x",
                        "-O-",
                        "-qO-",
                        "--no-check-certificate",
                        "-P /tmp",
                        "-O",
                        "--output-document=/x",
                    ],
                )
            };
            let u = url(c);
            let pipe = match c.below(4) {
                0 => format!(
                    " | {}",
                    c.pick(&[
                        "sh",
                        "bash",
                        "sh -s --",
                        "sudo bash",
                        "tar -xz",
                        "python3",
                        "bash -"
                    ])
                ),
                1 => format!(" -o {}", path_word(c)),
                _ => String::new(),
            };
            format!("{tool}{f} {u}{pipe}")
        }
        14 => format!(
            "tar -{} {} {}",
            c.pick(&["xzf", "xf", "xvzf", "-extract", "xJf", "czf"]),
            c.pick(&["/tmp/a.tar.gz", "a.tgz", "-", "$F"]),
            c.pick(&[
                "-C /opt",
                "",
                "--strip-components=1",
                "--strip-components=4294967296"
            ])
        ),
        15 => format!(
            "{}{} {}",
            c.pick(&[
                "useradd",
                "adduser",
                "groupadd",
                "addgroup",
                "usermod",
                "adduser -D",
                "useradd -m"
            ]),
            flags(
                c,
                &[
                    "-r",
                    "-u 1000",
                    "-u 4294967296",
                    "-g app",
                    "-G sudo",
                    "-m",
                    "-s /bin/sh",
                    "-S",
                    "--system",
                    "--uid=0",
                    "-d /home/app",
                    "--disabled-password",
                    "--gecos ''",
                    "-g",
                    "-u",
                    "--uid",
                ]
            ),
            c.pick(&[
                "appuser", "app", "nonroot", "1000", "root", "", "$USER", "ü"
            ])
        ),
        16 => format!(
            "{} {} {}",
            c.pick(&["chown", "chown -R", "chmod", "chmod -R", "chgrp"]),
            c.pick(&[
                "1000:1000",
                "app:app",
                "+x",
                "755",
                "4755",
                "u+s",
                "4294967296",
                ":",
                "root",
                "-"
            ]),
            path_word(c)
        ),
        17 => format!("cd {}", path_word(c)),
        18 => c
            .pick(&[
                "set -e",
                "set -eux",
                "set -o pipefail",
                "set -euxo pipefail",
                "set +e",
                "true",
                ":",
                "false",
                "exit 0",
                "export A=1",
                ". /etc/os-release",
                "source ~/.bashrc",
                "ldconfig",
                "mkdir -p /app",
                "ln -s /a /b",
                "unzip a.zip",
                "update-ca-certificates",
                "dpkg -i /tmp/x.deb",
                "make && make install",
                "./configure --prefix=/usr",
            ])
            .to_string(),
        19 => format!("echo {}", quoted(c, sh)),
        20 => format!(
            "{} {}",
            c.pick(&["gosu", "su-exec", "su -c", "sudo -u app"]),
            word(c)
        ),
        21 => format!("{} {}", extreme(c).replace(['\n'], ""), word(c)),
        22 => format!("{}={}", var_name(c), quoted(c, sh)),
        _ => format!("{} {}", word(c), word(c)),
    };
    format!("{prefix}{body}")
}

fn quoted(c: &mut Choices, sh: &Shell) -> String {
    match c.below(8) {
        0 => format!("'{}'", word(c).replace('\'', "")),
        1 => format!("\"{} {}\"", word(c), substitution(c, 2)),
        2 => format!("$({})", command(c, 0, sh)),
        3 => format!("`{}`", word(c).replace('`', "")),
        4 => "$(case \"$x\" in a) echo a;; *) echo b;; esac)".to_string(),
        5 => format!("\"$(uname -m)\"{}", word(c)),
        6 => format!("'{}'", extreme(c).replace(['\'', '\n'], "")),
        _ => word(c),
    }
}

fn compound(c: &mut Choices, depth: usize, sh: &Shell) -> String {
    match c.below(7) {
        0 => format!("( {} )", commands(c, depth, sh, 2)),
        1 => format!("{{ {}; }}", commands(c, depth, sh, 2)),
        2 => format!(
            "if [ -f {} ]; then {}; fi",
            path_word(c),
            commands(c, depth, sh, 2)
        ),
        3 => format!("for i in a b; do {}; done", commands(c, depth, sh, 2)),
        4 => format!("A=$({})", commands(c, depth, sh, 2)),
        5 => format!(
            "case \"$(uname -m)\" in x86_64) {};; *) {};; esac",
            command(c, depth, sh),
            command(c, depth, sh)
        ),
        _ => format!("while false; do {}; done", command(c, depth, sh)),
    }
}

/// Commands joined by operators, sometimes over continuation lines with comments.
fn commands(c: &mut Choices, depth: usize, sh: &Shell, max: usize) -> String {
    let n = 1 + c.below(max);
    let mut out = command(c, depth, sh);
    for _ in 1..n {
        let op = c.pick(&[
            " && ", " && ", " || ", "; ", " | ", " & ", " |& ", " &&", "&&",
        ]);
        match c.below(5) {
            0 => {
                // Continuation: `&& \` at the end of the line (or at the start of the next).
                if c.flip() {
                    out.push_str(op.trim_end());
                    out.push(' ');
                    out.push_str(sh.cont);
                    if c.one_in(3) {
                        out.push_str("  # a comment inside\n");
                    }
                    out.push_str("    ");
                } else {
                    out.push(' ');
                    out.push_str(sh.cont);
                    if c.one_in(3) {
                        out.push_str("# comment\n");
                    }
                    out.push_str("    ");
                    out.push_str(op.trim_start());
                }
            }
            1 if c.one_in(4) => {
                out.push(sh.esc);
                out.push_str("  \n");
                out.push_str(op.trim_start());
            }
            _ => out.push_str(op),
        }
        out.push_str(&command(c, depth, sh));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Instructions

fn json_array(c: &mut Choices, sh: &Shell) -> String {
    let items: Vec<String> = match c.below(8) {
        0 => vec![],
        1 => vec!["exec".into(), word(c)],
        2 => vec!["sh".into(), "-c".into(), commands(c, 1, sh, 3)],
        3 => vec![
            "/bin/bash".into(),
            "-o".into(),
            "pipefail".into(),
            "-c".into(),
            commands(c, 1, sh, 2),
        ],
        4 => vec![word(c), extreme(c)],
        _ => (0..1 + c.below(4)).map(|_| quoted(c, sh)).collect(),
    };
    let esc: Vec<String> = items
        .iter()
        .map(|s| {
            format!(
                "\"{}\"",
                s.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
            )
        })
        .collect();
    let sep = c.pick(&[", ", ",", " , "]);
    let out = format!("[{}]", esc.join(sep));
    if c.one_in(10) {
        // Malformed JSON falls back to shell form.
        format!("{},]", out.trim_end_matches(']'))
    } else {
        out
    }
}

/// CMD/ENTRYPOINT/HEALTHCHECK body: shell or JSON form.
fn cmd_body(c: &mut Choices, sh: &Shell) -> String {
    if c.flip() {
        json_array(c, sh)
    } else {
        match c.below(5) {
            0 => format!("exec {}", word(c)),
            1 => format!("VAR=1 {}", command(c, 0, sh)),
            2 => c
                .pick(&[
                    "cd /app && exec python app.py",
                    "echo hi",
                    "export A=1; node server.js",
                    "python app.py",
                    "",
                ])
                .to_string(),
            _ => commands(c, 1, sh, 3),
        }
    }
}

fn heredoc_name(c: &mut Choices, i: usize) -> (String, String) {
    let base = c.pick(&["EOF", "X", "END", "eof", "SCRIPT", "EOT", "E\u{e9}"]);
    let name = if i > 0 {
        format!("{base}{i}")
    } else {
        base.to_string()
    };
    let open = match c.below(5) {
        0 => format!("<<-{name}"),
        1 => format!("<<'{name}'"),
        2 => format!("<<-'{name}'"),
        3 => format!("<<\"{name}\""),
        _ => format!("<<{name}"),
    };
    (open, name)
}

/// An instruction with heredocs: the opening line and the bodies.
fn heredoc_instruction(c: &mut Choices, sh: &Shell, keyword: &str) -> String {
    let n = 1 + c.below(3);
    let mut heads = Vec::new();
    let mut bodies = String::new();
    for i in 0..n {
        let (open, name) = heredoc_name(c, i);
        let tabbed = open.starts_with("<<-");
        heads.push(open);
        let lines = 1 + c.below(4);
        for _ in 0..lines {
            if tabbed && c.flip() {
                bodies.push('\t');
            }
            bodies.push_str(&commands(c, 1, sh, 3));
            bodies.push('\n');
        }
        if tabbed && c.flip() {
            bodies.push('\t');
        }
        bodies.push_str(&name);
        bodies.push('\n');
    }
    let head = match keyword {
        "COPY" | "ADD" => format!("{} {}", heads.join(" "), path_word(c)),
        _ => match c.below(5) {
            0 => format!("python3 {}", heads.join(" ")),
            1 => format!("cat {} > /etc/x", heads.join(" ")),
            2 => format!("{} && {}", heads.join(" "), command(c, 0, sh)),
            _ => heads.join(" "),
        },
    };
    format!("{keyword}{} {head}\n{bodies}", run_flags(c, keyword))
}

fn run_flags(c: &mut Choices, keyword: &str) -> String {
    let mut out = String::new();
    if keyword != "RUN" {
        return out;
    }
    for _ in 0..c.below(3) {
        out.push(' ');
        out.push_str(&match c.below(5) {
            0 => format!(
                "--mount=type=cache,target={}{}",
                c.pick(&[
                    "/root/.cache/pip",
                    "/var/cache/apt",
                    "/var/lib/apt",
                    "/root/.npm",
                    "/go/pkg/mod",
                    "/var/cache/apk",
                    "",
                    "/root/.cache",
                ]),
                c.pick(&[
                    "",
                    ",sharing=locked",
                    ",id=x",
                    ",uid=4294967296",
                    ",mode=0777",
                    ",sharing=",
                    ",target=/x"
                ])
            ),
            1 => format!(
                "--mount=type={}",
                c.pick(&[
                    "bind,source=.,target=/src",
                    "secret,id=npmrc,target=/root/.npmrc",
                    "ssh",
                    "tmpfs,target=/tmp",
                    "",
                    "cache"
                ])
            ),
            2 => format!("--mount={}", extreme(c).replace([' ', '\n'], "")),
            3 => c
                .pick(&[
                    "--network=none",
                    "--network=host",
                    "--security=insecure",
                    "--network=",
                ])
                .to_string(),
            _ => format!("--{}={}", word(c), word(c)),
        });
    }
    out
}

fn copy_flags(c: &mut Choices, stages: &[String], add: bool) -> String {
    let mut out = String::new();
    for _ in 0..c.below(4) {
        out.push(' ');
        let f = match c.below(10) {
            0 => format!(
                "--from={}",
                if !stages.is_empty() && c.flip() {
                    c.pick_string(stages)
                } else {
                    c.pick(&[
                        "0",
                        "4294967296",
                        "builder",
                        "python:3.12",
                        "$STAGE",
                        "",
                        "-1",
                    ])
                    .to_string()
                }
            ),
            1 => format!(
                "--chown={}",
                c.pick(&[
                    "app:app",
                    "1000:1000",
                    "$U",
                    "",
                    "4294967296:0",
                    "root",
                    ":",
                    "ü"
                ])
            ),
            2 => format!(
                "--chmod={}",
                c.pick(&[
                    "755",
                    "0o777",
                    "4294967296",
                    "u+x",
                    "",
                    "0755",
                    "99999999999"
                ])
            ),
            3 => c
                .pick(&["--link", "--link=false", "--link=true", "--link="])
                .to_string(),
            4 => format!(
                "--exclude={}",
                c.pick(&["*.md", "", "**", "!x", "node_modules"])
            ),
            5 => c.pick(&["--parents", "--parents=true"]).to_string(),
            6 if add => c
                .pick(&[
                    "--keep-git-dir=true",
                    "--checksum=sha256:abc",
                    "--checksum=",
                    "--unpack=false",
                ])
                .to_string(),
            7 => format!(
                "--{}={}",
                c.pick(&["chown", "from", "chmod", "exclude"]),
                extreme(c).replace([' ', '\n'], "")
            ),
            _ => format!("--from={}", word(c)),
        };
        out.push_str(&f);
    }
    out
}

fn kv(c: &mut Choices, sh: &Shell) -> String {
    let n = 1 + c.below(3);
    let mut out = Vec::new();
    for _ in 0..n {
        let k = var_name(c);
        let v = match c.below(6) {
            0 => substitution(c, 4),
            1 => format!("\"{}\"", quoted(c, sh).replace('"', "")),
            2 => extreme(c).replace([' ', '\n'], ""),
            3 => c
                .pick(&[
                    "s3cr3t",
                    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                    "noninteractive",
                    "production",
                    "1",
                    "off",
                ])
                .to_string(),
            _ => word(c),
        };
        out.push(format!("{k}={v}"));
    }
    out.join(" ")
}

fn instruction(c: &mut Choices, g: &mut Gen, depth: usize) -> String {
    let sh = Shell {
        esc: g.esc,
        cont: if g.esc == '`' { "`\n" } else { "\\\n" },
    };
    let kw_case = |k: &str, lower: bool| {
        if lower {
            k.to_lowercase()
        } else {
            k.to_string()
        }
    };
    let lower = c.one_in(12);
    match c.below(30) {
        0 | 1 => {
            let name = format!("s{}", g.stages.len());
            let platform = if c.one_in(3) {
                format!(
                    "--platform={} ",
                    c.pick(&[
                        "$BUILDPLATFORM",
                        "linux/amd64",
                        "${TARGETPLATFORM}",
                        "",
                        "$X"
                    ])
                )
            } else {
                String::new()
            };
            let img = image_ref(c, &g.stages);
            let alias = match c.below(4) {
                0 => String::new(),
                1 => format!(
                    " {} {}",
                    c.pick(&["AS", "as", "As"]),
                    c.pick(&["builder", "build", "final", "base", "runtime", "a-b_c.d"])
                ),
                _ => format!(" AS {name}"),
            };
            if let Some(a) = alias.split_whitespace().nth(1) {
                g.stages.push(a.to_string());
            }
            format!("{} {platform}{img}{alias}\n", kw_case("FROM", lower))
        }
        2..=7 => {
            if c.one_in(4) {
                return heredoc_instruction(c, &sh, "RUN");
            }
            let flags = run_flags(c, "RUN");
            let body = if c.one_in(8) {
                json_array(c, &sh)
            } else {
                commands(c, 2, &sh, 5)
            };
            format!("{}{flags} {body}\n", kw_case("RUN", lower))
        }
        8 | 9 => {
            let add = c.one_in(3);
            let kw = if add { "ADD" } else { "COPY" };
            if c.one_in(5) {
                return heredoc_instruction(c, &sh, kw);
            }
            let f = copy_flags(c, &g.stages, add);
            let n = 1 + c.below(3);
            let srcs: Vec<String> = (0..n)
                .map(|_| {
                    if add && c.flip() {
                        url(c)
                    } else {
                        path_word(c)
                    }
                })
                .collect();
            let dest = if c.one_in(6) {
                String::new()
            } else {
                format!(" {}", path_word(c))
            };
            if c.one_in(6) {
                let mut all = srcs.clone();
                all.push(dest.trim().to_string());
                let json: Vec<String> = all.iter().map(|s| format!("\"{s}\"")).collect();
                format!("{}{f} [{}]\n", kw_case(kw, lower), json.join(", "))
            } else {
                format!("{}{f} {}{dest}\n", kw_case(kw, lower), srcs.join(" "))
            }
        }
        10 => format!("ARG {}\n", if c.flip() { var_name(c) } else { kv(c, &sh) }),
        11 => {
            if c.one_in(3) {
                let v = quoted(c, &sh);
                let v = if v.trim().is_empty() {
                    "v".to_string()
                } else {
                    v
                };
                format!("ENV {} {v}\n", var_name(c))
            } else {
                format!("ENV {}\n", kv(c, &sh))
            }
        }
        12 => {
            if c.one_in(3) {
                format!(
                    "LABEL {} {}\n",
                    c.pick(&["maintainer", "\"a b\"", "version"]),
                    word(c)
                )
            } else {
                format!("LABEL {}\n", kv(c, &sh))
            }
        }
        13 => format!("WORKDIR {}\n", path_word(c)),
        14 => format!(
            "USER {}\n",
            match c.below(4) {
                0 => extreme(c),
                1 => substitution(c, 2),
                _ => c
                    .pick(&[
                        "app",
                        "appuser",
                        "1000:1000",
                        "0",
                        "root",
                        "0:0",
                        "root:root",
                        "nobody",
                        "1000",
                        "app:app",
                        ":1000",
                        "4294967296",
                        "65534"
                    ])
                    .to_string(),
            }
        ),
        15 => format!(
            "EXPOSE {}\n",
            (0..1 + c.below(3))
                .map(|_| c.pick(&[
                    "80",
                    "443/tcp",
                    "4294967296",
                    "8080-8090/udp",
                    "0",
                    "-1",
                    "$PORT",
                    "99999999999999999999",
                    "53/sctp",
                    ""
                ]))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        16 => {
            let shell = c.pick(&[
                "[\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
                "[\"/bin/sh\", \"-c\"]",
                "[\"pwsh\", \"-Command\"]",
                "[\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]",
                "[\"cmd\", \"/S\", \"/C\"]",
                "[\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]",
                "[\"bash\", \"-euxo\", \"pipefail\", \"-c\"]",
                "[\"/bin/zsh\", \"-c\"]",
                "[]",
                "/bin/bash -c",
            ]);
            format!("SHELL {shell}\n")
        }
        17 | 18 => format!(
            "{} {}\n",
            c.pick(&["CMD", "ENTRYPOINT", "cmd", "entrypoint"]),
            cmd_body(c, &sh)
        ),
        19 => {
            let opts = flags(
                c,
                &[
                    "--interval=30s",
                    "--timeout=4294967296s",
                    "--start-period=",
                    "--retries=-1",
                    "--retries=99999999999999999999",
                    "--start-interval=1ms",
                    "--interval=abc",
                ],
            );
            if c.one_in(4) {
                "HEALTHCHECK NONE\n".to_string()
            } else {
                format!("HEALTHCHECK{opts} CMD {}\n", cmd_body(c, &sh))
            }
        }
        20 if depth < 2 => {
            let inner = instruction(c, g, depth + 1);
            format!("ONBUILD {inner}")
        }
        21 => format!("MAINTAINER {}\n", c.pick(&["a <a@b.c>", "", "x"])),
        22 => format!(
            "{} {}\n",
            c.pick(&["FOO", "RUNN", "COPPY", "CMD2", "FRM", "\u{e9}"]),
            word(c)
        ),
        23 => format!("VOLUME {}\n", c.pick(&["/data", "[\"/data\"]", "", "$V"])),
        24 => format!(
            "STOPSIGNAL {}\n",
            c.pick(&["SIGTERM", "9", "4294967296", ""])
        ),
        25 => format!(
            "# {}\n",
            c.pick(&[
                "comment",
                "dockerfix: ignore[DF301]",
                "dockerfix: ignore",
                "noqa",
                "hadolint ignore=DL3008",
                "escape=`",
                "syntax=docker/dockerfile:1"
            ])
        ),
        26 => "\n".repeat(1 + c.below(4)),
        27 => {
            // A RUN continued over many lines with a comment and an empty line inside.
            format!(
                "RUN {} {}  # inner\n{}\n    {}\n",
                command(c, 1, &sh),
                sh.cont.trim_end(),
                if c.flip() { "" } else { "# c" },
                command(c, 1, &sh)
            )
        }
        28 => format!(
            "{} {}\n",
            c.pick(&[
                "RUN", "CMD", "ENV", "ARG", "COPY", "FROM", "USER", "WORKDIR"
            ]),
            extreme(c)
        ),
        _ => format!("RUN {}\n", commands(c, 2, &sh, 3)),
    }
}

struct Gen {
    esc: char,
    stages: Vec<String>,
}

/// A whole Dockerfile.
pub fn dockerfile(c: &mut Choices) -> String {
    let mut out = String::new();
    if c.one_in(16) {
        out.push('\u{feff}');
    }
    let mut esc = '\\';
    // Each directive at most once (rarely twice, an error), in any order.
    let mut kinds: Vec<usize> = (0..3).filter(|_| c.flip()).collect();
    if c.one_in(20) {
        kinds.push(c.below(3));
    }
    if kinds.len() > 1 && c.flip() {
        kinds.reverse();
    }
    for kind in kinds {
        match kind {
            0 => out.push_str(&format!(
                "{}{}\n",
                c.pick(&["# syntax=", "#syntax = ", "# SYNTAX="]),
                c.pick(&[
                    "docker/dockerfile:1",
                    "docker/dockerfile:1.4",
                    "docker/dockerfile-upstream:master",
                    "",
                    "docker/dockerfile:4294967296",
                ])
            )),
            1 => {
                if c.below(4) == 0 {
                    out.push_str("# escape=\\\n");
                } else {
                    esc = '`';
                    out.push_str("# escape=`\n");
                }
            }
            _ => out.push_str(&format!(
                "# check={}\n",
                c.pick(&[
                    "skip=all",
                    "error=true",
                    "skip=JSONArgsRecommended;error=true",
                    "",
                    "skip="
                ])
            )),
        }
    }
    let mut g = Gen {
        esc,
        stages: Vec::new(),
    };
    if c.below(8) != 0 {
        // ARGs before the first FROM.
        for _ in 0..c.below(3) {
            out.push_str(&format!(
                "ARG {}\n",
                c.pick(&[
                    "BASE=python",
                    "V=3.12",
                    "BASE",
                    "V",
                    "PYTHON_VERSION=3.12-slim",
                    "V=4294967296",
                    "BASE=${X:-${Y:+${Z}}}"
                ])
            ));
        }
        let img = image_ref(c, &[]);
        let alias = if c.flip() { " AS base" } else { "" };
        if !alias.is_empty() {
            g.stages.push("base".into());
        }
        out.push_str(&format!("FROM {img}{alias}\n"));
    }
    let n = c.below(14);
    for _ in 0..n {
        out.push_str(&instruction(c, &mut g, 0));
    }
    if c.one_in(6) {
        out = out.replace('\n', "\r\n");
    }
    if c.one_in(8) {
        while out.ends_with('\n') || out.ends_with('\r') {
            out.pop();
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Build context

fn requirements(c: &mut Choices) -> String {
    let mut out = String::new();
    for _ in 0..c.below(5) {
        out.push_str(c.pick(&[
            "flask==2.0",
            "requests",
            "-e .",
            "./local/pkg",
            "-r other.txt",
            "git+https://github.com/a/b.git",
            "",
            "numpy==4294967296.0",
            "# comment",
            "--extra-index-url https://x",
            "file:../x",
            "pkg @ file:///tmp/x",
            "-c constraints.txt",
            "\u{e9}",
        ]));
        out.push('\n');
    }
    out
}

fn package_json(c: &mut Choices) -> String {
    let mut fields = vec!["\"name\": \"app\"".to_string()];
    if c.flip() {
        fields.push("\"dependencies\": {\"express\": \"^4\"}".into());
    }
    if c.flip() {
        fields.push("\"devDependencies\": {\"typescript\": \"5\", \"nodemon\": \"*\"}".into());
    }
    match c.below(6) {
        0 => fields.push("\"scripts\": {\"postinstall\": \"node x.js\"}".into()),
        1 => fields.push("\"workspaces\": [\"packages/*\"]".into()),
        2 => fields.push("\"dependencies\": {\"local\": \"file:./lib\"}".into()),
        3 => fields.push("\"scripts\": {\"prepare\": \"husky\", \"build\": \"tsc\"}".into()),
        _ => {}
    }
    match c.below(8) {
        0 => "{".to_string(),
        1 => String::new(),
        2 => "[]".to_string(),
        _ => format!("{{{}}}", fields.join(", ")),
    }
}

fn dockerignore(c: &mut Choices) -> String {
    let mut out = String::new();
    for _ in 0..c.below(7) {
        out.push_str(c.pick(&[
            "*",
            "!requirements.txt",
            "**/node_modules",
            "node_modules",
            "#comment",
            "!",
            "[",
            "\\",
            "../x",
            "",
            "/",
            "**",
            ".git",
            "*.md",
            "!**/*.py",
            "!package*.json",
            ".env",
            "vendor/",
            "  spaced  ",
            "a/**/b",
            "[a-",
            "\u{e9}*",
            "!src",
            "Dockerfile*",
        ]));
        out.push_str(if c.one_in(5) { "\r\n" } else { "\n" });
    }
    out
}

/// A few files of a build context.
pub fn context_files(c: &mut Choices) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let n = c.below(8);
    for _ in 0..n {
        let file = match c.below(20) {
            0 | 1 => ("requirements.txt".to_string(), requirements(c)),
            2 => ("requirements-dev.txt".to_string(), requirements(c)),
            3 | 4 => ("package.json".to_string(), package_json(c)),
            5 => (
                "package-lock.json".to_string(),
                "{\"lockfileVersion\": 3}".to_string(),
            ),
            6 => ("yarn.lock".to_string(), String::new()),
            7 | 8 => (".dockerignore".to_string(), dockerignore(c)),
            9 => ("go.mod".to_string(), "module x\n\ngo 1.22\n".to_string()),
            10 => (
                "Gemfile".to_string(),
                "source 'https://rubygems.org'\ngem 'rails'\n".to_string(),
            ),
            11 => ("composer.json".to_string(), "{\"require\": {}}".to_string()),
            12 => ("vendor/".to_string(), String::new()),
            13 => ("node_modules/x/index.js".to_string(), String::new()),
            14 => (
                "pyproject.toml".to_string(),
                "[project]\nname = \"x\"\n".to_string(),
            ),
            15 => (
                ".npmrc".to_string(),
                "//registry/:_authToken=x\n".to_string(),
            ),
            16 => (".env".to_string(), "SECRET=1\n".to_string()),
            17 => ("Dockerfile.dockerignore".to_string(), dockerignore(c)),
            18 => ("poetry.lock".to_string(), String::new()),
            _ => ("pnpm-lock.yaml".to_string(), String::new()),
        };
        files.push(file);
    }
    files
}
