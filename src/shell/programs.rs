//! The command model: one grammar per program, written once, and the typed invocation it reads
//! from a lexed command. A rule asks "the apt-get installs of this stage" through
//! [`crate::rules::Context::calls`] and gets each command parsed already: its program, its
//! subcommands, its options with their values, and its operands, all as indexes into the
//! command's words (so spans stay those of the source).
//!
//! What a grammar knows is what a rule needs to tell an option's value from an operand: which
//! options take a value, whether short options cluster (`-qy`, `-oX`), whether long options
//! have one dash (`go build -ldflags X`), and which subcommands take subcommands of their own
//! (`uv pip install`, `go mod download`). Options a grammar does not list are read as flags:
//! a value-taking option missing from a table makes its value look like an operand, so the
//! tables are the union of every option each rule has needed, checked against each tool's
//! `--help` and manual.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

use super::{Command, Word, base_name};

/// How a program reads its options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// GNU and POSIX: `-abc` is `-a -b -c`, a short option that takes a value takes the rest
    /// of its cluster or the next word (`-oX`, `-o X`), `--long=value` or `--long value`.
    Gnu,
    /// Go's `flag` package (and Java-like tools): one dash, whole names, `-name value` or
    /// `-name=value`; no clusters.
    SingleDash,
}

/// One program's command-line grammar.
#[derive(Debug, PartialEq, Eq)]
pub struct Grammar {
    /// The program this grammar is for, as rules name it.
    pub name: &'static str,
    /// The names it is run by (without a directory). Versioned names (`pip3.12`, `python3`)
    /// are matched by [`grammar_for`].
    pub names: &'static [&'static str],
    pub style: Style,
    /// Short options that take a value, as letters (`Gnu` only).
    pub short_values: &'static str,
    /// Long options (with their dashes) that take the next word as their value when not
    /// written `--name=value`. For `SingleDash`, every option that takes a value.
    pub long_values: &'static [&'static str],
    /// Whether the first operand is a subcommand (`apt-get install`); `false` for programs
    /// whose operands are all arguments (`curl URL`, `tar`).
    pub subcommand: bool,
    /// Subcommands whose own first operand is a further subcommand (`uv pip install`).
    pub nested: &'static [&'static str],
    /// Whether options may follow operands (`apt-get install x -y`; GNU getopt permutes).
    /// When false, the first operand ends the options (`sh -c`, `env`).
    pub interleaved: bool,
}

/// An option found on a command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opt {
    /// The index of the word the option is in.
    pub word: usize,
    /// Where its value is.
    pub value: Option<OptValue>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptValue {
    /// In the option's own word, from this byte offset of its value (`--cache=/x`, `-oX`).
    Inline(usize),
    /// The next word (its index).
    Next(usize),
}

/// A command parsed by its program's grammar. Indexes are into the words it was read from
/// (the command's words after leading reserved words, see [`Invocation::read`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    pub grammar: &'static Grammar,
    /// Index of the word the program's own arguments start after (0: the program word;
    /// for `python3 -m pip install`, the `pip` word).
    pub start: usize,
    /// The subcommand words, outermost first (`[1]` for `apt-get install`; `[1, 2]` for
    /// `uv pip install`). Empty for programs without subcommands or when there is none.
    pub subcommands: Vec<usize>,
    pub options: Vec<Opt>,
    /// The operands after the subcommands (or all of them, for programs without).
    pub operands: Vec<usize>,
}

/// A parsed command with its words: what rules read. It borrows the invocation kept with the
/// command ([`Call::read`]), or owns one read from bare words ([`Call::from_words`]).
#[derive(Clone, Debug)]
pub struct Call<'w> {
    pub words: &'w [Word],
    pub inv: std::borrow::Cow<'w, Invocation>,
}

impl<'w> Call<'w> {
    /// Reads a command by its program's grammar (see [`Invocation::read`]); the reading is
    /// kept with the command, so asking again costs nothing.
    pub fn read(cmd: &'w Command) -> Option<Call<'w>> {
        Some(Call {
            words: &cmd.words,
            inv: std::borrow::Cow::Borrowed(cmd.parsed.get_or_read(cmd)?),
        })
    }

    /// Reads words whose first is the program (a command's words after a wrapper such as
    /// `sudo` or `env`, say), with no reserved words to skip.
    pub fn from_words(words: &'w [Word]) -> Option<Call<'w>> {
        let g = grammar_for(program_name(words.first()?)?)?;
        Some(Call {
            words,
            inv: std::borrow::Cow::Owned(parse(g, words, 0)),
        })
    }

    /// Reads a command when it is `grammar`'s program.
    pub fn of(cmd: &'w Command, grammar: &'static Grammar) -> Option<Call<'w>> {
        Call::read(cmd).filter(|c| c.is(grammar))
    }

    /// Whether this is `grammar`'s program.
    pub fn is(&self, grammar: &'static Grammar) -> bool {
        std::ptr::eq(self.inv.grammar, grammar)
    }

    pub fn grammar(&self) -> &'static Grammar {
        self.inv.grammar
    }

    /// The program word (`apt-get`, `/usr/bin/pip3`, `pip` in `python -m pip`).
    pub fn program_word(&self) -> Option<&'w Word> {
        let words = self.words;
        words.get(self.inv.start)
    }

    /// The program's name without a directory, as written (`pip3`, `apt`).
    pub fn program(&self) -> Option<&'w str> {
        let w = self.program_word()?;
        Some(base_name(&w.value))
    }

    /// The subcommand word at `depth` (0: `install` in `apt-get install`).
    pub fn subcommand_word(&self, depth: usize) -> Option<&'w Word> {
        let words = self.words;
        words.get(*self.inv.subcommands.get(depth)?)
    }

    /// The subcommand at `depth` as a plain literal (`None` when quoted or expanded).
    pub fn subcommand_at(&self, depth: usize) -> Option<&'w str> {
        self.subcommand_word(depth)
            .filter(|w| !w.complex)
            .map(|w| w.value.as_str())
    }

    /// The first subcommand, as a plain literal.
    pub fn subcommand(&self) -> Option<&'w str> {
        self.subcommand_at(0)
    }

    /// The innermost subcommand word (`install` in `uv pip install`).
    pub fn last_subcommand_word(&self) -> Option<&'w Word> {
        let words = self.words;
        words.get(*self.inv.subcommands.last()?)
    }

    /// The operand words.
    pub fn operands(&self) -> impl Iterator<Item = &'w Word> + '_ {
        let words = self.words;
        self.inv.operands.iter().filter_map(move |&i| words.get(i))
    }

    /// The operand words from the `n`th on.
    pub fn operands_from(&self, n: usize) -> impl Iterator<Item = &'w Word> + '_ {
        self.operands().skip(n)
    }

    /// Whether an option is given: a long option by its name (`--yes`; also as
    /// `--name=value`), a short one by its letter (`-y`, also inside a cluster such as `-qy`).
    pub fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// Whether any of the options is given.
    pub fn has_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.has(n))
    }

    /// The value of an option (the last one given wins, as in most tools).
    pub fn value(&self, name: &str) -> Option<&'w str> {
        let opt = self.find_last(name)?;
        let words = self.words;
        match opt.value? {
            OptValue::Inline(at) => words.get(opt.word)?.value.get(at..),
            OptValue::Next(i) => Some(words.get(i)?.value.as_str()),
        }
    }

    /// The value of whichever of the options is given last (`-o x --output y` is `y`).
    pub fn last_value(&self, names: &[&str]) -> Option<&'w str> {
        let words = self.words;
        let o = self
            .inv
            .options
            .iter()
            .rev()
            .find(|o| names.iter().any(|n| self.opt_is(o, n)))?;
        match o.value? {
            OptValue::Inline(at) => words.get(o.word)?.value.get(at..),
            OptValue::Next(i) => Some(words.get(i)?.value.as_str()),
        }
    }

    /// Every value given to an option, in order (`--omit=dev --omit=optional`).
    pub fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'w str> + 's {
        self.inv
            .options
            .iter()
            .filter(move |o| self.opt_is(o, name))
            .filter_map(move |o| self.opt_value(o))
    }

    /// Every value given to any of the options (a short and a long name of one option), in
    /// the order given.
    pub fn values_of<'s>(&'s self, names: &'s [&'s str]) -> impl Iterator<Item = &'w str> + 's {
        self.inv
            .options
            .iter()
            .filter(move |o| names.iter().any(|n| self.opt_is(o, n)))
            .filter_map(move |o| self.opt_value(o))
    }

    /// An option's value as text.
    pub fn opt_value(&self, o: &Opt) -> Option<&'w str> {
        let words = self.words;
        match o.value? {
            OptValue::Inline(at) => words.get(o.word)?.value.get(at..),
            OptValue::Next(i) => Some(words.get(i)?.value.as_str()),
        }
    }

    /// Whether an option (as found on the line) is `name`.
    pub fn opt_is_named(&self, o: &Opt, name: &str) -> bool {
        self.opt_is(o, name)
    }

    /// The value word of an option (`None` when the value is inline).
    pub fn value_word(&self, name: &str) -> Option<&'w Word> {
        let words = self.words;
        match self.find_last(name)?.value? {
            OptValue::Next(i) => words.get(i),
            OptValue::Inline(_) => None,
        }
    }

    /// The option words in order.
    pub fn option_words(&self) -> impl Iterator<Item = &'w Word> + '_ {
        let words = self.words;
        self.inv
            .options
            .iter()
            .filter_map(move |o| words.get(o.word))
    }

    fn find(&self, name: &str) -> Option<Opt> {
        self.inv
            .options
            .iter()
            .find(|o| self.opt_is(o, name))
            .copied()
    }

    fn find_last(&self, name: &str) -> Option<Opt> {
        self.inv
            .options
            .iter()
            .rev()
            .find(|o| self.opt_is(o, name))
            .copied()
    }

    fn opt_is(&self, o: &Opt, name: &str) -> bool {
        let Some(w) = self.words.get(o.word) else {
            return false;
        };
        option_matches(self.inv.grammar, &w.value, o.value, name)
    }
}

/// Whether the option word `v` (with its parsed value) is option `name`.
fn option_matches(g: &Grammar, v: &str, value: Option<OptValue>, name: &str) -> bool {
    let short = g.style == Style::Gnu && name.len() == 2 && !name.starts_with("--");
    if short {
        let Some(letter) = name.strip_prefix('-') else {
            return false;
        };
        let Some(cluster) = v.strip_prefix('-').filter(|c| !c.starts_with('-')) else {
            return false;
        };
        // The letters before an inline value (`-qoX`: `q` and `o`).
        let letters = match value {
            Some(OptValue::Inline(at)) => cluster.get(..at.saturating_sub(1)).unwrap_or(""),
            _ => cluster,
        };
        return letters.contains(letter);
    }
    v == name || v.strip_prefix(name).is_some_and(|r| r.starts_with('='))
}

impl Invocation {
    /// Reads a command by its program's grammar; `None` for programs no grammar covers, and
    /// for a program word that is quoted or expanded. The program is the first word after the
    /// reserved words that may lead a command (`then apt-get install` is lexed as one).
    pub fn read(cmd: &Command) -> Option<Invocation> {
        let at = cmd.name_index();
        let words = cmd.words.get(at..)?;
        let name = program_name(words.first()?)?;
        if let Some(g) = grammar_for(name) {
            return Some(parse(g, &cmd.words, at));
        }
        // `python3 -m pip ...`: pip's grammar from the `pip` word.
        let module = python_module(words, "pip")?;
        Some(parse(&PIP, &cmd.words, at + module))
    }
}

/// The name a program word runs, without its directory; `None` when the name itself is
/// expanded (`$PIP`). A directory only a variable knows (`"$VENV/bin/pip"`) keeps the name.
fn program_name(w: &Word) -> Option<&str> {
    let name = base_name(&w.value);
    (!name.is_empty() && !name.contains(['$', '`', '"', '\'', '\\'])).then_some(name)
}

/// Where `python -m <module>` names the module: the index of the module word. Python's own
/// options before `-m` are skipped (`-W x`, `-X x` take a value).
pub fn python_module(words: &[Word], module: &str) -> Option<usize> {
    let program = base_name(&words.first()?.value);
    if !program
        .strip_prefix("python")?
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.')
    {
        return None;
    }
    let mut i = 1;
    while let Some(w) = words.get(i) {
        match w.value.as_str() {
            "-m" => return (words.get(i + 1)?.value == module).then_some(i + 1),
            v if v.strip_prefix("-m") == Some(module) => return Some(i),
            "-W" | "-X" => i += 2,
            v if v.starts_with('-') && v != "-" && v != "-c" => i += 1,
            _ => return None,
        }
    }
    None
}

/// The grammar for a program name (without a directory): exact names, and versioned ones
/// (`pip3`, `pip3.12`).
pub fn grammar_for(name: &str) -> Option<&'static Grammar> {
    // A `match` on the name, not a search of [`GRAMMARS`]: most commands are none of these,
    // and this runs for every command of every RUN. `grammars_are_consistent` checks that it
    // answers for each name a grammar lists, and only for those.
    Some(match name {
        "apt-get" | "apt" => &APT,
        "apk" => &APK,
        "dnf" | "dnf5" | "yum" | "microdnf" | "tdnf" => &DNF,
        "zypper" => &ZYPPER,
        "pip" => &PIP,
        "uv" => &UV,
        "poetry" => &POETRY,
        "pipenv" => &PIPENV,
        "npm" => &NPM,
        "yarn" | "yarnpkg" => &YARN,
        "pnpm" => &PNPM,
        "gem" => &GEM,
        "bundle" | "bundler" => &BUNDLE,
        "go" => &GO,
        "cargo" => &CARGO,
        "composer" | "composer.phar" => &COMPOSER,
        "curl" => &CURL,
        "wget" => &WGET,
        "tar" | "bsdtar" => &TAR,
        "useradd" | "adduser" | "groupadd" | "addgroup" | "usermod" | "groupmod" => &USERADD,
        "chown" | "chgrp" | "chmod" => &CHOWN,
        _ => {
            let numeric =
                |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            return name
                .strip_prefix("pip")
                .is_some_and(numeric)
                .then_some(&PIP);
        }
    })
}

/// Whether a word is an option: starts with `-` and is not `-` alone (standard input).
fn is_option(v: &str) -> bool {
    v.starts_with('-') && v.len() > 1
}

fn parse(g: &'static Grammar, words: &[Word], start: usize) -> Invocation {
    let mut inv = Invocation {
        grammar: g,
        start,
        subcommands: Vec::new(),
        options: Vec::new(),
        operands: Vec::new(),
    };
    let mut i = start + 1;
    let mut options_end = false;
    let mut wants_sub = g.subcommand;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if !options_end && v == "--" {
            options_end = true;
            i += 1;
            continue;
        }
        // cargo's `+toolchain` (rustup's proxy reads it) stands before the subcommand.
        let toolchain = g.name == "cargo" && v.starts_with('+') && inv.subcommands.is_empty();
        if !options_end && (is_option(v) || toolchain) {
            let value = if toolchain {
                None
            } else {
                option_value(g, v, i, words)
            };
            inv.options.push(Opt { word: i, value });
            i += match value {
                Some(OptValue::Next(_)) => 2,
                _ => 1,
            };
            continue;
        }
        if wants_sub && !options_end {
            inv.subcommands.push(i);
            wants_sub = !w.complex && g.nested.contains(&v) && inv.subcommands.len() == 1;
        } else {
            inv.operands.push(i);
            if !g.interleaved {
                options_end = true;
            }
        }
        i += 1;
    }
    inv
}

/// Where an option's value is, if it takes one.
fn option_value(g: &Grammar, v: &str, i: usize, words: &[Word]) -> Option<OptValue> {
    let next = || words.get(i + 1).map(|_| OptValue::Next(i + 1));
    if let Some(long) = v.strip_prefix("--") {
        if let Some(eq) = long.find('=') {
            return Some(OptValue::Inline(eq + 3));
        }
        return if g.long_values.contains(&v) {
            next()
        } else {
            None
        };
    }
    match g.style {
        Style::SingleDash => {
            if let Some(eq) = v.find('=') {
                return Some(OptValue::Inline(eq + 1));
            }
            if g.long_values.contains(&v) {
                next()
            } else {
                None
            }
        }
        Style::Gnu => {
            let cluster = v.get(1..)?;
            for (at, c) in cluster.char_indices() {
                if g.short_values.contains(c) {
                    let rest = at + c.len_utf8();
                    return if rest < cluster.len() {
                        Some(OptValue::Inline(rest + 1))
                    } else {
                        next()
                    };
                }
            }
            None
        }
    }
}

macro_rules! grammar {
    ($id:ident, $name:literal, names: $names:expr, style: $style:ident, short: $short:literal,
     long: $long:expr, subcommand: $sub:literal, nested: $nested:expr, interleaved: $inter:literal) => {
        pub static $id: Grammar = Grammar {
            name: $name,
            names: $names,
            style: Style::$style,
            short_values: $short,
            long_values: $long,
            subcommand: $sub,
            nested: $nested,
            interleaved: $inter,
        };
    };
}

grammar!(APT, "apt-get", names: &["apt-get", "apt"], style: Gnu, short: "octaS",
    long: &["--option", "--config-file", "--target-release", "--default-release",
        "--host-architecture", "--snapshot"],
    subcommand: true, nested: &[], interleaved: true);

/// apt-get and apt subcommands that read the package lists (`/var/lib/apt/lists`).
pub static APT_READS_LISTS: &[&str] = &[
    "install",
    "reinstall",
    "build-dep",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "source",
    "download",
    "satisfy",
    "list",
    "search",
    "show",
    "showsrc",
    "policy",
    "depends",
    "rdepends",
    "changelog",
];

/// apt-get and apt subcommands that download packages or package lists.
pub static APT_DOWNLOADS: &[&str] = &[
    "install",
    "reinstall",
    "build-dep",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "update",
    "download",
    "source",
];

grammar!(APK, "apk", names: &["apk"], style: Gnu, short: "Xpt",
    long: &["--repository", "--root", "--arch", "--cache-dir", "--cache-max-age", "--keys-dir",
        "--repositories-file", "--timeout", "--wait", "--virtual"],
    subcommand: true, nested: &[], interleaved: true);

// yum, dnf, microdnf and tdnf share their option syntax.
grammar!(DNF, "dnf", names: &["dnf", "dnf5", "yum", "microdnf", "tdnf"], style: Gnu, short: "cxde",
    long: &["--config", "--installroot", "--releasever", "--setopt", "--exclude", "--enablerepo",
        "--disablerepo", "--repo", "--repoid", "--disableplugin", "--enableplugin",
        "--downloaddir", "--destdir", "--debuglevel", "--errorlevel", "--rpmverbosity", "--color",
        "--repofrompath"],
    subcommand: true, nested: &[], interleaved: true);

grammar!(ZYPPER, "zypper", names: &["zypper"], style: Gnu, short: "rRtcDC",
    long: &["--repo", "--root", "--type", "--from", "--config", "--reposd-dir", "--cache-dir",
        "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "--userdata"],
    subcommand: true, nested: &[], interleaved: true);

// pip's general and install options (also `uv pip install`'s).
grammar!(PIP, "pip", names: &["pip"], style: Gnu, short: "rceiftC",
    long: &["--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url",
        "--find-links", "--target", "--prefix", "--root", "--src", "--platform",
        "--python-version", "--implementation", "--abi", "--no-binary", "--only-binary",
        "--progress-bar", "--trusted-host", "--cache-dir", "--log", "--log-file", "--proxy",
        "--retries", "--timeout", "--exists-action", "--cert", "--client-cert",
        "--config-settings", "--global-option", "--install-option", "--upgrade-strategy",
        "--root-user-action", "--report", "--python", "--keyring-provider", "--use-feature",
        "--use-deprecated"],
    subcommand: true, nested: &[], interleaved: true);

grammar!(UV, "uv", names: &["uv"], style: Gnu, short: "pcerf",
    long: &["--cache-dir", "--directory", "--project", "--config-file", "--color", "--python",
        "--index", "--default-index", "--index-url", "--extra-index-url", "--find-links",
        "--index-strategy", "--resolution", "--prerelease", "--override", "--overrides",
        "--constraint", "--constraints", "--build-constraint", "--build-constraints",
        "--exclude-newer", "--link-mode", "--python-platform", "--python-version", "--target",
        "--prefix", "--requirement", "--editable", "--package", "--extra", "--group",
        "--only-group", "--no-group", "--keyring-provider", "--config-setting", "--refresh-package",
        "--reinstall-package", "--upgrade-package", "--no-binary-package",
        "--no-build-package", "--allow-insecure-host"],
    subcommand: true, nested: &["pip"], interleaved: true);

grammar!(POETRY, "poetry", names: &["poetry"], style: Gnu, short: "CEG",
    long: &["--directory", "--project", "--extras", "--only", "--with", "--without", "--group"],
    subcommand: true, nested: &[], interleaved: true);

grammar!(PIPENV, "pipenv", names: &["pipenv"], style: Gnu, short: "r",
    long: &["--python", "--requirements", "--categories", "--extra-pip-args"],
    subcommand: true, nested: &[], interleaved: true);

grammar!(NPM, "npm", names: &["npm"], style: Gnu, short: "Cw",
    long: &["--prefix", "--registry", "--cache", "--tag", "--workspace", "--omit", "--include",
        "--only", "--install-strategy", "--loglevel", "--userconfig", "--globalconfig",
        "--save-prefix", "--before", "--proxy", "--https-proxy", "--python", "--scope",
        "--fetch-retries", "--fetch-timeout", "--script-shell", "--location"],
    subcommand: true, nested: &[], interleaved: true);

grammar!(YARN, "yarn", names: &["yarn", "yarnpkg"], style: Gnu, short: "",
    long: &["--cache-folder", "--modules-folder", "--network-timeout", "--network-concurrency",
        "--mutex", "--cwd", "--registry", "--global-folder", "--link-folder", "--proxy",
        "--https-proxy", "--loglevel"],
    subcommand: true, nested: &[], interleaved: true);

grammar!(PNPM, "pnpm", names: &["pnpm"], style: Gnu, short: "CF",
    long: &["--dir", "--filter", "--store-dir", "--reporter", "--registry", "--loglevel"],
    subcommand: true, nested: &[], interleaved: true);

grammar!(GEM, "gem", names: &["gem"], style: Gnu, short: "vinsPg",
    long: &["--version", "--install-dir", "--bindir", "--source", "--trust-policy", "--platform",
        "--file", "--build-root"],
    subcommand: true, nested: &[], interleaved: true);

grammar!(BUNDLE, "bundle", names: &["bundle", "bundler"], style: Gnu, short: "j",
    long: &["--gemfile", "--path", "--jobs", "--retry", "--without", "--with", "--binstubs",
        "--shebang", "--standalone", "--trust-policy", "--target-rbconfig"],
    subcommand: true, nested: &[], interleaved: true);

// `go` flags have one dash; `go mod download`, `go work sync` nest.
grammar!(GO, "go", names: &["go"], style: SingleDash, short: "",
    long: &["-C", "-p", "-asmflags", "-buildmode", "-buildvcs", "-compiler", "-gccgoflags",
        "-gcflags", "-installsuffix", "-ldflags", "-mod", "-modfile", "-overlay", "-pgo",
        "-pkgdir", "-tags", "-toolexec", "-o", "-exec", "-covermode", "-coverpkg", "-run",
        "-bench", "-timeout", "-count"],
    subcommand: true, nested: &["mod", "work", "tool"], interleaved: true);

grammar!(CARGO, "cargo", names: &["cargo"], style: Gnu, short: "ZCpjF",
    long: &["--config", "--color", "--target", "--target-dir", "--manifest-path", "--package",
        "--jobs", "--features", "--profile", "--bin", "--example", "--root", "--version",
        "--git", "--branch", "--tag", "--rev", "--path", "--registry", "--index",
        "--recipe-path"],
    subcommand: true, nested: &["chef"], interleaved: true);

grammar!(COMPOSER, "composer", names: &["composer", "composer.phar"], style: Gnu, short: "d",
    long: &["--working-dir"],
    subcommand: true, nested: &[], interleaved: true);

// curl and wget: every option that takes a value (curl 8, wget 1.21), so that the URL and the
// output file can be told apart.
grammar!(CURL, "curl", names: &["curl"], style: Gnu, short: "AbcCdDeEFHKmoPQrtTuUwxXyYz",
    long: &["--abstract-unix-socket", "--alt-svc", "--aws-sigv4", "--cacert", "--capath",
        "--cert", "--cert-type", "--ciphers", "--config", "--connect-timeout", "--connect-to",
        "--continue-at", "--cookie", "--cookie-jar", "--create-file-mode", "--crlfile",
        "--curves", "--data", "--data-ascii", "--data-binary", "--data-raw", "--data-urlencode",
        "--delegation", "--dns-interface", "--dns-ipv4-addr", "--dns-ipv6-addr",
        "--dns-servers", "--doh-url", "--dump-header", "--ech", "--egd-file", "--engine",
        "--etag-compare", "--etag-save", "--expect100-timeout", "--form", "--form-string",
        "--ftp-account", "--ftp-alternative-to-user", "--ftp-method", "--ftp-port", "--ftp-ssl-ccc-mode",
        "--happy-eyeballs-timeout-ms", "--haproxy-clientip", "--header", "--help", "--hostpubmd5",
        "--hostpubsha256", "--hsts", "--interface", "--ip-tos", "--ipfs-gateway", "--json",
        "--keepalive-time", "--key", "--key-type", "--krb", "--libcurl", "--limit-rate",
        "--local-port", "--login-options", "--mail-auth", "--mail-from", "--mail-rcpt",
        "--max-filesize", "--max-redirs", "--max-time", "--netrc-file", "--noproxy", "--oauth2-bearer",
        "--output", "--output-dir", "--parallel-max", "--pass", "--pinnedpubkey", "--preproxy",
        "--proto", "--proto-default", "--proto-redir", "--proxy", "--proxy-cacert",
        "--proxy-capath", "--proxy-cert", "--proxy-cert-type", "--proxy-ciphers",
        "--proxy-crlfile", "--proxy-header", "--proxy-key", "--proxy-key-type", "--proxy-pass",
        "--proxy-pinnedpubkey", "--proxy-service-name", "--proxy-tls13-ciphers",
        "--proxy-tlsauthtype", "--proxy-tlspassword", "--proxy-tlsuser", "--proxy-user",
        "--proxy1.0", "--pubkey", "--quote", "--random-file", "--range", "--rate", "--referer",
        "--request", "--request-target", "--resolve", "--retry", "--retry-delay",
        "--retry-max-time", "--sasl-authzid", "--service-name", "--socks4", "--socks4a",
        "--socks5", "--socks5-gssapi-service", "--socks5-hostname", "--speed-limit",
        "--speed-time", "--stderr", "--telnet-option", "--tftp-blksize", "--time-cond",
        "--tls-max", "--tls13-ciphers", "--tlsauthtype", "--tlspassword", "--tlsuser",
        "--trace", "--trace-ascii", "--trace-config", "--unix-socket", "--upload-file", "--url",
        "--url-query", "--user", "--user-agent", "--variable", "--write-out"],
    subcommand: false, nested: &[], interleaved: true);

grammar!(WGET, "wget", names: &["wget"], style: Gnu, short: "OoaPtTwUeiBQlARDIX",
    long: &["--output-document", "--output-file", "--append-output", "--directory-prefix",
        "--tries", "--timeout", "--wait", "--user-agent", "--execute", "--input-file", "--base",
        "--quota", "--level", "--accept", "--reject", "--domains", "--include-directories",
        "--exclude-directories", "--header", "--user", "--password", "--http-user",
        "--http-password", "--proxy-user", "--proxy-password", "--post-data", "--post-file",
        "--body-data", "--body-file", "--method", "--ca-certificate", "--ca-directory",
        "--certificate", "--certificate-type", "--private-key", "--private-key-type",
        "--secure-protocol", "--load-cookies", "--save-cookies", "--referer", "--limit-rate",
        "--dns-timeout", "--connect-timeout", "--read-timeout", "--waitretry", "--bind-address",
        "--restrict-file-names", "--local-encoding", "--remote-encoding", "--default-page",
        "--progress", "--config", "--rejected-log", "--cut-dirs", "--exclude-domains",
        "--follow-tags", "--ignore-tags", "--accept-regex", "--reject-regex", "--regex-type",
        "--crl-file", "--pinnedpubkey", "--random-file", "--egd-file", "--hsts-file",
        "--warc-file", "--warc-header", "--warc-max-size", "--warc-dedup", "--warc-tempdir",
        "--ftp-user", "--ftp-password", "--prefer-family", "--report-speed", "--use-askpass"],
    subcommand: false, nested: &[], interleaved: true);

// tar's first word may be a dash-less cluster (`tar xzf file`); see [`tar_cluster`].
grammar!(TAR, "tar", names: &["tar", "bsdtar"], style: Gnu, short: "fCTXbHKLNgV",
    long: &["--file", "--directory", "--files-from", "--exclude-from", "--exclude",
        "--blocking-factor", "--format", "--starting-file", "--tape-length", "--newer",
        "--after-date", "--listed-incremental", "--label", "--owner", "--group", "--mode",
        "--mtime", "--transform", "--strip-components", "--use-compress-program", "--to-command",
        "--checkpoint-action", "--xform", "--exclude-vcs-ignores"],
    subcommand: false, nested: &[], interleaved: true);

// useradd, adduser (Debian's and BusyBox's), groupadd, usermod.
grammar!(USERADD, "useradd",
    names: &["useradd", "adduser", "groupadd", "addgroup", "usermod", "groupmod"],
    // `-l` and `-L` take a value for usermod (new login) and are flags for useradd: read as
    // taking one, the cautious side for a rule that looks for the user's name.
    style: Gnu, short: "bcdefgGkKpsuZRPhlL",
    long: &["--comment", "--home-dir", "--home", "--expiredate", "--inactive", "--gid",
        "--groups", "--skel", "--key", "--password", "--shell", "--uid", "--base-dir",
        "--root", "--prefix", "--selinux-user", "--firstuid", "--lastuid", "--firstgid",
        "--lastgid", "--ingroup", "--gecos", "--conf", "--add_extra_groups", "--extrausers",
        "--btrfs-subvolume-home", "--selinux-range", "--login", "--append"],
    subcommand: false, nested: &[], interleaved: true);

grammar!(CHOWN, "chown", names: &["chown", "chgrp", "chmod"], style: Gnu, short: "",
    long: &["--reference", "--from"],
    subcommand: false, nested: &[], interleaved: true);

/// Every grammar, for lookup by name.
pub static GRAMMARS: &[&Grammar] = &[
    &APT, &APK, &DNF, &ZYPPER, &PIP, &UV, &POETRY, &PIPENV, &NPM, &YARN, &PNPM, &GEM, &BUNDLE, &GO,
    &CARGO, &COMPOSER, &CURL, &WGET, &TAR, &USERADD, &CHOWN,
];

/// tar's old-style first argument (`tar xzf file`, `tar -xzf file`): the letters of its
/// first word when it is a cluster without a dash.
pub fn tar_cluster(words: &[Word]) -> Option<&str> {
    let w = words.get(1)?;
    let v = w.value.as_str();
    (!v.starts_with('-') && !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphabetic()))
        .then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<T>(body: &str, f: impl FnOnce(Call) -> T) -> T {
        let cmds = crate::shell::commands(body).unwrap();
        f(Call::read(&cmds[0]).unwrap())
    }

    fn ops(body: &str) -> Vec<String> {
        call(body, |c| c.operands().map(|w| w.value.clone()).collect())
    }

    #[test]
    fn subcommands_and_operands() {
        call(
            "apt-get -o Acquire::Retries=3 -qy install --no-install-recommends a b",
            |c| {
                assert_eq!(c.subcommand(), Some("install"));
                assert!(c.has("-y") && c.has("-q") && c.has("--no-install-recommends"));
                assert!(!c.has("-o Acquire"));
                assert_eq!(c.value("-o"), Some("Acquire::Retries=3"));
            },
        );
        assert_eq!(ops("apt-get install -y a -t bookworm b"), ["a", "b"]);
        assert_eq!(ops("apt-get -oDebug=1 install a"), ["a"]);
        call("uv pip install --system -r req.txt x", |c| {
            assert_eq!(c.subcommand_at(0), Some("pip"));
            assert_eq!(c.subcommand_at(1), Some("install"));
            assert_eq!(c.value("-r"), Some("req.txt"));
        });
        assert_eq!(ops("uv pip install --system -r req.txt x"), ["x"]);
        call("python3 -m pip install --no-cache-dir flask", |c| {
            assert_eq!(c.grammar().name, "pip");
            assert_eq!(c.program(), Some("pip"));
            assert_eq!(c.subcommand(), Some("install"));
            assert!(c.has("--no-cache-dir"));
        });
        call("pip3.12 --cache-dir /c install x", |c| {
            assert_eq!(c.subcommand(), Some("install"));
            assert_eq!(c.value("--cache-dir"), Some("/c"));
        });
        call("go mod download", |c| {
            assert_eq!(c.subcommand_at(1), Some("download"));
        });
        assert_eq!(ops("go install -ldflags '-s -w' ./cmd/x"), ["./cmd/x"]);
        call("cargo +nightly -Z sparse build --release", |c| {
            assert_eq!(c.subcommand(), Some("build"));
        });
    }

    #[test]
    fn values_and_ends() {
        call("curl -fsSLo /tmp/x.tgz https://e.x/a.tgz", |c| {
            assert_eq!(c.value("-o"), Some("/tmp/x.tgz"));
            assert!(c.has("-f") && c.has("-L") && !c.has("-x"));
        });
        call("curl -sSL https://e.x/a -o-", |c| {
            assert_eq!(c.value("-o"), Some("-"));
        });
        call("wget -O - https://e.x/a", |c| {
            assert_eq!(c.value("-O"), Some("-"));
            assert_eq!(c.operands().count(), 1);
        });
        call("curl --output=/x https://e.x", |c| {
            assert_eq!(c.value("--output"), Some("/x"));
        });
        assert_eq!(ops("npm install -- -x y"), ["-x", "y"]);
        assert_eq!(ops("curl - u"), ["-", "u"]);
        let read = |b: &str| Invocation::read(&crate::shell::commands(b).unwrap()[0]);
        assert!(read("ls -l").is_none());
        assert!(read("\"$PIP\" i").is_none());
        assert!(read("\"${VENV}/bin/pip\" install x").is_some());
        assert_eq!(read("time apt-get install x").unwrap().start, 1);
    }

    #[test]
    fn grammars_are_consistent() {
        for other in ["ls", "pipx", "pip3x", "python3", "sudo", ""] {
            assert!(grammar_for(other).is_none(), "{other}");
        }
        assert!(grammar_for("pip3.12").is_some_and(|g| g.name == "pip"));
        let mut names = std::collections::HashSet::new();
        for g in GRAMMARS {
            for n in g.names {
                assert!(names.insert(*n), "{n} is in two grammars");
                assert!(
                    grammar_for(n).is_some_and(|found| std::ptr::eq(found, *g)),
                    "grammar_for({n}) is not {}",
                    g.name
                );
            }
            assert!(g.names.contains(&g.name) || g.name == "dnf" && g.names.contains(&"dnf"));
            for l in g.long_values {
                match g.style {
                    Style::Gnu => assert!(l.starts_with("--"), "{}: {l}", g.name),
                    Style::SingleDash => assert!(l.starts_with('-') && !l.starts_with("--")),
                }
            }
        }
    }
}
