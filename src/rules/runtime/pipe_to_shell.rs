use crate::rules::common::{command_words, is_within, join_path, word_span, workdir_at};
use crate::rules::{
    Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun, programs,
};
use crate::shell::{self, Command, Separator, Word};
use crate::syntax::{Args, Instruction, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF305",
    name: "pipe-to-shell",
    aliases: &[],
    summary: "curl | sh, curl -k, --allow-unauthenticated, chmod 777",
    doc: "## What it does
Flags RUN commands that run or install what nobody checked, or that open the image up:
- a download run as a script: `curl ... | sh` (also `wget -O- ... | bash`, `| sudo -E bash -`,
  `| python3`, `| perl`, `| ruby`, `| node`), `bash <(curl ...)` and
  `sh -c \"$(curl ...)\"`. An interpreter that reads a program of its own (`python3 -c ...`,
  `perl -e ...`, `bash -c ...`, a script file) only reads the download as data and is not
  flagged;
- TLS certificate checks turned off: `curl -k`/`--insecure`, `wget --no-check-certificate`,
  `pip --trusted-host`, `npm config set strict-ssl false`, `git config http.sslVerify false`
  (and `git -c http.sslVerify=false`);
- package signatures not checked: `apt-get --allow-unauthenticated`,
  `--allow-insecure-repositories` (and their `-o APT::Get::AllowUnauthenticated=true`,
  `-o Acquire::AllowInsecureRepositories=true` forms);
- world-writable files: `chmod 777`, `chmod -R 666`, `chmod a+rwx`, `chmod o+w` (any mode that
  gives others write access), unless the sticky bit is set (`chmod 1777 /tmp`), every path
  is removed again later in the same RUN, or every path is a folder the RUN has just made
  with `mkdir` and no later `COPY` or `ADD` of the stage puts anything in (`mkdir -p /data &&
  chmod 777 /data`: an empty folder for the application's data, left writable so that the
  container also runs under an arbitrary `--user`; it holds no code to replace; the parents
  `mkdir -p` makes count, outside the standard top folders, and paths named by the `ENV` or
  `ARG` values the stage set before the RUN are read with them), or a comment right above the
  RUN, or inside it before the chmod, says the modes are for running under any user id
  (\"arbitrary user\", \"any user\", \"random uid\", \"custom uid\", \"OpenShift\"...:
  docker-library's redmine, which a chown cannot serve for an id chosen at run time).

World-writable modes are checked in the stages that ship (a build target and the stages it is
built on, as the size rules read them), and in a stage only copied from where a later `COPY
--from` copies those files, or a folder around them, out (copies keep the modes): a builder's
`chmod -R a+w /root/.cargo`, when only its binaries are copied out, stays out of every image.
The other findings are reported in every stage: they are about what the build runs.

Commands inside `$(...)` are looked at too. Exec-form RUNs, heredoc bodies and commands run
through `sh -c '...'` strings are not.

## Why is this bad?
A script piped from the network runs whatever the server (or anyone in between) returns at
build time, unverified, and a rebuild can silently run something else. Without certificate
checks, or with unsigned packages, a download can be replaced in transit. World-writable files
let any user or process in the container change them, the application's code included.

## Example
```dockerfile
RUN curl -fsSL https://example.com/install.sh | sh
RUN chmod -R 777 /app
```
Use instead:
```dockerfile
ADD --checksum=sha256:<digest> https://example.com/install.sh /tmp/install.sh
RUN sh /tmp/install.sh && rm /tmp/install.sh
RUN chown -R app:app /app
```

## Fix safety
No fix: verifying a download needs its checksum, and who should own a file is a decision.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

// Commands, including those in command substitutions.

/// The command lists of a shell body: its own, then those of the `$(...)` substitutions in its
/// words (at any depth), each in its order, with spans relative to `body`. Substitutions
/// inside single quotes are text, not commands; a substitution the lexer cannot read is
/// skipped.
#[cfg(test)]
fn nested_commands(body: &str) -> Vec<Vec<Command>> {
    let Some(top) = shell::commands(body) else {
        return Vec::new();
    };
    let inner = substitution_commands(body, &top);
    std::iter::once(top).chain(inner).collect()
}

/// The command lists of the substitutions in already lexed top-level commands of `body`, in
/// the order [`nested_commands`] gives them after its first list (`body`'s own commands).
pub(in crate::rules) fn substitution_commands(body: &str, top: &[Command]) -> Vec<Vec<Command>> {
    let mut out = Vec::new();
    for cmd in top {
        for w in cmd.words.iter().chain(cmd.assignments.iter()) {
            let raw = w.span.slice(body);
            if raw.contains("$(") {
                for inner in substitutions(raw) {
                    let start = w.span.start + inner.start;
                    let end = w.span.start + inner.end;
                    if let Some(t) = body.get(start..end) {
                        collect(t, start, 1, &mut out);
                    }
                }
            }
        }
    }
    out
}

fn collect(text: &str, base: usize, depth: usize, out: &mut Vec<Vec<Command>>) {
    let Some(mut commands) = shell::commands(text) else {
        return;
    };
    let at = out.len();
    out.push(Vec::new());
    for cmd in &mut commands {
        for w in cmd.words.iter_mut().chain(cmd.assignments.iter_mut()) {
            let raw = w.span.slice(text);
            if depth < 4 && raw.contains("$(") {
                for inner in substitutions(raw) {
                    let start = w.span.start + inner.start;
                    let end = w.span.start + inner.end;
                    collect(&text[start..end], base + start, depth + 1, out);
                }
            }
            w.span = Span::new(base + w.span.start, base + w.span.end);
        }
    }
    if let Some(slot) = out.get_mut(at) {
        *slot = commands;
    }
}

/// The bodies (between `$(` and `)`) of the command substitutions in a word's raw text, not
/// arithmetic `$((...))`, not inside single quotes.
fn substitutions(raw: &str) -> Vec<Span> {
    let b = raw.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut in_double) = (0, false);
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 1,
            b'\'' if !in_double => match raw.get(i + 1..).and_then(|r| r.find('\'')) {
                Some(end) => i += end + 1,
                None => return out,
            },
            b'"' => in_double = !in_double,
            b'$' if b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(') => {
                let Some(end) = closing_paren(raw, i + 2) else {
                    return out;
                };
                out.push(Span::new(i + 2, end));
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The offset of the `)` that closes a `(` opened right before `start` (as the shell lexer
/// reads it: quotes, nesting, `case` patterns).
fn closing_paren(raw: &str, start: usize) -> Option<usize> {
    shell::substitution_body_end(raw, start)
}

/// The words of the command that runs, after reserved words and the wrappers that run it:
/// `sudo` (with its options: `sudo -E -u app bash` runs `bash`) and `env` (with its options
/// and assignments).
pub(in crate::rules) fn effective_words(cmd: &Command) -> &[Word] {
    let mut words = command_words(cmd);
    loop {
        let Some(first) = words.first() else {
            return words;
        };
        let is_env = basename(first) == "env";
        let takes_value: &[&str] = match basename(first) {
            "sudo" => &[
                "-u",
                "-g",
                "-p",
                "-C",
                "-D",
                "-r",
                "-t",
                "-T",
                "-U",
                "--user",
                "--group",
                "--prompt",
                "--chdir",
                "--role",
                "--type",
                "--other-user",
            ],
            "env" => &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"],
            _ => return words,
        };
        let mut i = 1;
        while let Some(w) = words.get(i) {
            let v = w.value.as_str();
            if v == "--" {
                i += 1;
                break;
            }
            if v.starts_with('-') && v.len() > 1 {
                i += if takes_value.contains(&v) { 2 } else { 1 };
            } else if is_env && v.contains('=') {
                i += 1;
            } else {
                break;
            }
        }
        words = words.get(i..).unwrap_or_default();
    }
}

fn basename(w: &Word) -> &str {
    crate::shell::base_name(&w.value)
}

fn is_stdout(path: Option<&str>) -> bool {
    matches!(path, Some("-" | "/dev/stdout"))
}

/// Whether a command downloads to its standard output (`curl URL`, `curl -o- URL`,
/// `wget -qO- URL`); `curl -o file`, `curl -O` and a plain `wget URL` write a file.
fn downloads_to_stdout(words: &[Word]) -> bool {
    let Some(call) = Call::from_words(words) else {
        return false;
    };
    let stdout = |name: &str| call.values(name).all(|v| is_stdout(Some(v)));
    match call.grammar().name {
        "curl" => {
            !call.has_any(&["-O", "--remote-name", "--remote-name-all"])
                && stdout("-o")
                && stdout("--output")
        }
        "wget" => call
            .values("-O")
            .chain(call.values("--output-document"))
            .any(|v| is_stdout(Some(v))),
        _ => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Interpreter {
    Shell,
    Python,
    Perl,
    Ruby,
    Node,
}

fn interpreter(program: &str) -> Option<Interpreter> {
    match program {
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" => Some(Interpreter::Shell),
        "perl" => Some(Interpreter::Perl),
        "ruby" => Some(Interpreter::Ruby),
        "node" | "nodejs" => Some(Interpreter::Node),
        p => p
            .strip_prefix("python")
            .filter(|v| v.bytes().all(|c| c.is_ascii_digit() || c == b'.'))
            .map(|_| Interpreter::Python),
    }
}

/// Whether an interpreter runs the program it reads on its standard input: no program given
/// as an argument (`-c`, `-e`, `-m`) and no script file (`-` and `/dev/stdin` are stdin).
fn runs_stdin(kind: Interpreter, args: &[Word]) -> bool {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        if v == "-" || v == "/dev/stdin" {
            return true;
        }
        if v == "--" {
            return args
                .get(i + 1)
                .is_none_or(|n| n.value == "-" || n.value == "/dev/stdin");
        }
        let Some(opt) = v.strip_prefix('-') else {
            // A script file (the shell's `-s` was not given: it would have returned).
            return false;
        };
        if let Some(long) = opt.strip_prefix('-') {
            match (kind, long) {
                (Interpreter::Node, "eval" | "print") => return false,
                (Interpreter::Node, "require") | (Interpreter::Shell, "rcfile" | "init-file") => {
                    i += 1
                }
                _ => {}
            }
        } else {
            for (at, ch) in opt.char_indices() {
                let last = at + 1 == opt.len();
                match (kind, ch) {
                    (Interpreter::Shell, 'c')
                    | (Interpreter::Python, 'c' | 'm')
                    | (Interpreter::Perl, 'e' | 'E')
                    | (Interpreter::Ruby, 'e')
                    | (Interpreter::Node, 'e' | 'p') => return false,
                    (Interpreter::Shell, 's') => return true,
                    (Interpreter::Shell, 'o')
                    | (Interpreter::Python, 'W' | 'X')
                    | (Interpreter::Node, 'r') => {
                        if last {
                            i += 1;
                        }
                        break;
                    }
                    (Interpreter::Perl, 'M' | 'm' | 'I' | 'x' | 'i' | 'l' | '0' | 'd' | 'D')
                    | (Interpreter::Ruby, 'r' | 'I' | 'x' | 'C' | 'E' | 'F' | 'K' | 'T') => {
                        if last && matches!(ch, 'I' | 'r' | 'C' | 'M' | 'm') {
                            i += 1;
                        }
                        break;
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    true
}

/// Whether a `$(...)` or `<(...)` word's command is a download to stdout.
fn substitution_downloads(value: &str, open: &str) -> bool {
    let Some(inner) = value.strip_prefix(open).and_then(|v| v.strip_suffix(')')) else {
        return false;
    };
    let Some(commands) = shell::commands(inner) else {
        return false;
    };
    commands
        .first()
        .is_some_and(|c| c.separator != Separator::Pipe && downloads_to_stdout(effective_words(c)))
}

/// For an interpreter command, the word that hands it a downloaded script: `bash <(curl URL)`,
/// `sh -c "$(curl URL)"`.
fn substituted_script(kind: Interpreter, args: &[Word]) -> Option<&Word> {
    if let Some(w) = args
        .first()
        .filter(|w| substitution_downloads(&w.value, "<("))
    {
        return Some(w);
    }
    if kind != Interpreter::Shell {
        return None;
    }
    let c = args.iter().position(|w| {
        w.value
            .strip_prefix('-')
            .is_some_and(|o| !o.starts_with('-') && o.ends_with('c'))
    })?;
    args.get(c + 1)
        .filter(|w| substitution_downloads(&w.value, "$("))
}

/// `bash <(curl ...)` or `sh -c "$(wget ...)"`, for a message.
fn script_form(shell: &str, script: &str) -> String {
    let download = script
        .get(2..)
        .and_then(|s| s.split_whitespace().next())
        .map_or("curl", |p| p.rsplit('/').next().unwrap_or(p));
    if script.starts_with("<(") {
        format!("{shell} <({download} ...)")
    } else {
        format!("{shell} -c \"$({download} ...)\"")
    }
}

// The checks.

const PIPE: &str = "runs a script from the network unverified: download it to a file, check its checksum, then run it";
const TLS: &str = "turns off TLS certificate checks: the download can be replaced in transit";
const UNSIGNED: &str = "installs packages whose signatures are not checked";
const WORLD_WRITABLE: &str = "makes files world-writable: any user in the container can change them; give them to the user that needs them (`chown`)";

/// The downloads piped into an interpreter that runs them: (download words, interpreter word).
fn piped_scripts(commands: &[Command]) -> Vec<(&[Word], &Word)> {
    let mut out = Vec::new();
    for (i, cmd) in commands.iter().enumerate() {
        if cmd.separator != Separator::Pipe {
            continue;
        }
        let download = effective_words(cmd);
        if !downloads_to_stdout(download) {
            continue;
        }
        let mut j = i + 1;
        while let Some(next) = commands.get(j) {
            let words = effective_words(next);
            if let Some((shell, args)) = words.split_first()
                && let Some(kind) = interpreter(basename(shell))
                && runs_stdin(kind, args)
            {
                out.push((download, shell));
                break;
            }
            if next.separator != Separator::Pipe {
                break;
            }
            j += 1;
        }
    }
    out
}

/// The words of a command that turn a TLS certificate check off (`-fsSLk`,
/// `--no-check-certificate`, `set strict-ssl false`).
fn insecure_tls(words: &[Word]) -> Option<&[Word]> {
    let (first, args) = words.split_first()?;
    let program = basename(first);
    let at = |pred: &dyn Fn(&str) -> bool| args.iter().position(|w| pred(&w.value));
    let one = |i: usize| args.get(i..=i);
    match program {
        "curl" => {
            if !Call::from_words(words).is_some_and(|c| c.has_any(&["-k", "--insecure"])) {
                return None;
            }
            // The word that says it: `--insecure`, or a cluster with `k` before any option
            // that takes a value.
            let i = at(&|v| {
                v == "--insecure"
                    || v.strip_prefix('-').is_some_and(|c| {
                        !c.starts_with('-')
                            && c.split(|ch| programs::CURL.short_values.contains(ch))
                                .next()
                                .is_some_and(|flags| flags.contains('k'))
                    })
            })?;
            one(i)
        }
        "wget" => one(at(&|v| v == "--no-check-certificate")?),
        p if p.starts_with("pip") || interpreter(p) == Some(Interpreter::Python) => {
            if let Some(i) = at(&|v| v == "--trusted-host" || v.starts_with("--trusted-host=")) {
                return one(i);
            }
            // pip config set global.trusted-host HOST
            let i = at(&|v| v == "config")?;
            let ws = args.get(i..=i + 2)?;
            match ws {
                [_, set, key] if set.value == "set" && key.value.ends_with(".trusted-host") => {
                    Some(ws)
                }
                _ => None,
            }
        }
        "npm" | "yarn" | "pnpm" => {
            if let Some(i) = at(&|v| v == "--strict-ssl=false") {
                return one(i);
            }
            let i = at(&|v| v == "strict-ssl" || v == "strict-ssl=false")?;
            let set = i.checked_sub(1)?;
            if args.get(set)?.value != "set" {
                return None;
            }
            let from = match set.checked_sub(1) {
                Some(config) if args.get(config).is_some_and(|c| c.value == "config") => config,
                _ => set,
            };
            if args.get(i)?.value == "strict-ssl=false" {
                args.get(from..=i)
            } else {
                args.get(i + 1).filter(|v| v.value == "false")?;
                args.get(from..=i + 1)
            }
        }
        "git" => {
            let off = |v: &str| {
                matches!(
                    v.to_ascii_lowercase().as_str(),
                    "false" | "0" | "no" | "off"
                )
            };
            for (i, w) in args.iter().enumerate() {
                let v = w.value.to_ascii_lowercase();
                if let Some(value) = v.strip_prefix("http.sslverify=")
                    && let Some(c) = i.checked_sub(1)
                    && args.get(c).is_some_and(|a| a.value == "-c")
                    && off(value)
                {
                    return args.get(c..=i);
                }
                if v == "http.sslverify"
                    && args.get(i + 1).is_some_and(|n| off(&n.value))
                    && let Some(config) = args.iter().take(i).position(|a| a.value == "config")
                {
                    return args.get(config..=i + 1);
                }
            }
            None
        }
        _ => None,
    }
}

/// The apt option that turns off signature checks (`-o` with its value).
fn unauthenticated(words: &[Word]) -> Option<&[Word]> {
    let program = basename(words.first()?);
    if !matches!(program, "apt-get" | "apt" | "aptitude") {
        return None;
    }
    let args = words.get(1..).unwrap_or_default();
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if matches!(
            v,
            "--allow-unauthenticated" | "--allow-insecure-repositories"
        ) {
            return Some(std::slice::from_ref(w));
        }
        let (option, words) = if v == "-o" || v == "--option" {
            (
                args.get(i + 1).map(|n| n.value.as_str()),
                args.get(i..=i + 1),
            )
        } else {
            (
                v.strip_prefix("-o").or_else(|| v.strip_prefix("--option=")),
                args.get(i..=i),
            )
        };
        if let Some((key, value)) = option.and_then(|o| o.split_once('=')) {
            let key = key.to_ascii_lowercase();
            if matches!(
                key.as_str(),
                "apt::get::allowunauthenticated" | "acquire::allowinsecurerepositories"
            ) && matches!(value.to_ascii_lowercase().as_str(), "1" | "true" | "yes")
            {
                return words;
            }
        }
    }
    None
}

/// Whether a chmod mode gives others write access without the sticky bit.
fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.len() <= 4 && mode.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
        let bits = u32::from_str_radix(mode, 8).unwrap_or(0);
        return bits & 0o002 != 0 && bits & 0o1000 == 0;
    }
    if !mode.bytes().all(|c| b"ugoa+-=rwxXst,".contains(&c)) || mode.contains('t') {
        return false;
    }
    mode.split(',').any(|clause| {
        let who_len = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let who = &clause[..who_len];
        if !who.contains(['a', 'o']) {
            return false;
        }
        // Each operator with its permissions: `a+rw-x` is `+rw`, `-x`.
        let ops = &clause[who_len..];
        let mut last_op = None;
        ops.chars().any(|c| {
            if matches!(c, '+' | '-' | '=') {
                last_op = Some(c);
                false
            } else {
                c == 'w' && matches!(last_op, Some('+' | '='))
            }
        })
    })
}

/// For `chmod MODE FILE...`: the mode word, when it makes the files world-writable, and the
/// files.
fn chmod_world_writable(words: &[Word]) -> Option<(&Word, &[Word])> {
    if basename(words.first()?) != "chmod" {
        return None;
    }
    let at = words
        .iter()
        .skip(1)
        .position(|w| !w.value.starts_with('-') || w.value.len() == 1)?
        + 1;
    let (mode, files) = words.get(at..)?.split_first()?;
    world_writable(&mode.value).then_some((mode, files))
}

/// Whether every file is removed by an `rm` among `later` (the chmod then leaves nothing in
/// the image: a temporary directory).
fn removed_later(files: &[Word], later: &[Command]) -> bool {
    let removed = operands_of(later, "rm");
    !files.is_empty() && files.iter().all(|f| removed.contains(&norm(&f.value)))
}

/// A path without its trailing slashes.
fn norm(v: &str) -> String {
    v.trim_end_matches('/').to_string()
}

/// The operands (not options) of every `program` command among `commands`, without
/// trailing slashes.
fn operands_of(commands: &[Command], program: &str) -> Vec<String> {
    commands
        .iter()
        .map(effective_words)
        .filter(|w| w.first().is_some_and(|p| basename(p) == program))
        .flat_map(|w| w.iter().skip(1).filter(|a| !a.value.starts_with('-')))
        .map(|a| norm(&a.value))
        .collect()
}

/// Whether the files a chmod changes can reach an image: the stage ships, or a later `COPY
/// --from` (or `ADD --from`) of it copies them, or a folder above or below them, out (copies
/// keep the modes), or a later `RUN --mount` of it, or a `--from` a variable names, may. A
/// builder stage's `chmod -R a+w /root/.cargo` whose stage only gives out its binaries keeps
/// the modes out of every image (TGI).
fn modes_reach_an_image(ctx: &Context, run: &ShellRun, files: &[Word]) -> bool {
    if ctx.ships(run.stage) {
        return true;
    }
    let Some(Some(sources)) = copied_out(ctx).get(run.stage) else {
        return true;
    };
    let here = workdir_at(ctx, run.stage, run.ins).unwrap_or_else(|| "/".to_string());
    let Some(targets) = files
        .iter()
        .map(|f| (!f.complex).then(|| join_path(&here, &f.value)))
        .collect::<Option<Vec<String>>>()
    else {
        return true;
    };
    sources.iter().any(|src| {
        src == "/"
            || targets
                .iter()
                .any(|t| is_within(t, src) || is_within(src, t))
    })
}

/// Per stage, the paths (absolute) that later stages copy out of it, or out of a stage built
/// on it, with `COPY --from` or `ADD --from` (copies keep the modes); `None` where anything may
/// be taken: a `RUN --mount` from it, a `--from` a variable names, a source with a wildcard or
/// a variable. Once per file: each instruction is read once, each `--from` resolved once.
fn copied_out<'c>(ctx: &'c Context) -> &'c [Option<Vec<String>>] {
    ctx.copied_out.get_or_init(|| {
        let n = ctx.stages.len();
        let mut out: Vec<Option<Vec<String>>> = vec![Some(Vec::new()); n];
        let mut any_variable_from = false;
        for (s, stage) in ctx.stages.iter().enumerate() {
            for ins in &stage.instructions {
                let mut froms: Vec<(Option<usize>, Option<Vec<String>>)> = Vec::new();
                match ins.kind() {
                    Kind::Copy | Kind::Add => {
                        let Some(from) = ins.node.flag("from").and_then(|f| f.value()) else {
                            continue;
                        };
                        let from = from.trim_matches(['"', '\'']);
                        if from.contains('$') {
                            any_variable_from = true;
                            continue;
                        }
                        let values: Vec<String> = match &ins.node.args {
                            Args::Words(w) => w
                                .iter()
                                .map(|x| {
                                    x.slice(&ins.logical).trim_matches(['"', '\'']).to_string()
                                })
                                .collect(),
                            Args::Json(v) => v.iter().map(|x| x.value.clone()).collect(),
                            _ => Vec::new(),
                        };
                        let sources = values
                            .split_last()
                            .map(|(_, src)| src.to_vec())
                            .unwrap_or_default();
                        let paths = (!sources.iter().any(|p| p.contains(['*', '?', '[', '$'])))
                            .then(|| sources.iter().map(|p| join_path("/", p)).collect());
                        froms.push((ctx.stage_named(from, s), paths));
                    }
                    Kind::Run => {
                        for f in ins.node.flags.iter().filter(|f| f.name() == "mount") {
                            for kv in f.value().unwrap_or("").split(',') {
                                if let Some(r) = kv.strip_prefix("from=") {
                                    if r.contains('$') {
                                        any_variable_from = true;
                                    } else {
                                        froms.push((ctx.stage_named(r, s), None));
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
                for (from, paths) in froms {
                    // The stage copied from, and every stage it is built on: their files are
                    // its files.
                    let mut at = from;
                    while let Some(st) = at {
                        if let Some(slot) = out.get_mut(st) {
                            match (slot.as_mut(), &paths) {
                                (Some(list), Some(p)) => list.extend(p.iter().cloned()),
                                _ => *slot = None,
                            }
                        }
                        at = crate::rules::common::stage_parent(ctx, st);
                    }
                }
            }
        }
        if any_variable_from {
            return vec![None; n];
        }
        out
    })
}

/// Whether `text` names the absolute `path` (or something under it) as a whole path: not as
/// the tail of another one (`/cache` is not named by `/var/cache/apt`).
fn names_path(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(at, _)| {
        let before = text.get(..at).and_then(|t| t.chars().next_back());
        let after = text.get(at + path.len()..).and_then(|t| t.chars().next());
        !before
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '$' | '}'))
            && !after.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    })
}

/// Whether a comment says the modes are for running the image under any user id: one of the
/// comment lines right above the RUN, or inside it before the chmod (`# fix permissions for
/// running as an arbitrary user`: docker-library's redmine; `writable by any user (for custom
/// uid:gid support)`: dawarich). A chown cannot serve `docker run --user` with an id chosen at
/// run time, nor OpenShift's random ids: the world-writable mode is the design there.
fn for_any_user(ctx: &Context, run: &ShellRun, chmod_at: Span) -> bool {
    const SAYS: &[&str] = &[
        "arbitrary user",
        "arbitrary uid",
        "any user",
        "any uid",
        "random uid",
        "random user",
        "custom uid",
        "openshift",
    ];
    let text = &ctx.doc.text;
    let ins = run.ins;
    // The chmod's place in the source, to keep the inner comments before it.
    let before = run.to_source(chmod_at).start;
    let inner = ins
        .inner_comments
        .iter()
        .filter(|c| c.start < before)
        .map(|c| c.slice(text));
    let index = ctx.doc.items.iter().position(
        |it| matches!(it, crate::syntax::Item::Instruction(i) if std::ptr::eq(&**i, ins)),
    );
    let above = index.into_iter().flat_map(|i| {
        ctx.doc
            .items
            .get(..i)
            .unwrap_or_default()
            .iter()
            .rev()
            .map_while(|it| match it {
                crate::syntax::Item::Comment(c) => Some(c.slice(text)),
                _ => None,
            })
    });
    // Whole words only: "Company users" does not say "any user".
    inner.chain(above).any(|c| {
        let c = c.to_ascii_lowercase();
        SAYS.iter().any(|s| {
            c.match_indices(s).any(|(at, _)| {
                let before = c.get(..at).and_then(|t| t.chars().next_back());
                let after = c.get(at + s.len()..).and_then(|t| t.chars().next());
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(|ch| ch.is_alphanumeric() && ch != 's')
            })
        })
    })
}

/// A word's text with the variables the stage sets before the RUN (`ENV`, `ARG` defaults)
/// replaced by their values, when each is known and plain; `None` otherwise, and for text
/// the shell would read in another way (quotes, globs, `~`, substitutions).
fn known_value(ctx: &Context, run: &ShellRun, text: &str) -> Option<String> {
    if !text.contains('$') {
        return (!text.contains(['*', '?', '[', '~', '`', '\\', '"', '\''])).then(|| text.into());
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(rest.get(..at)?);
        let (name, tail) = crate::rules::common::plain_variable(rest.get(at + 1..)?)?;
        let value = crate::rules::common::env_before(ctx, run.stage, run.ins, name)??;
        let value = value.trim_matches(['"', '\'']);
        if value.contains(['$', '*', '?', '[', '~', '`', '\\', ' ']) {
            return None;
        }
        out.push_str(value);
        rest = tail;
    }
    out.push_str(rest);
    (!out.contains(['*', '?', '[', '~', '`', '\\', '"', '\''])).then_some(out)
}

/// The folders above the operands of `mkdir -p` that it makes too (`mkdir -p tmp/pids
/// tmp/cache` makes `tmp`), where they cannot be folders every image has: those under the
/// working folder (a relative operand), and those of an absolute operand whose first folder
/// is not one of the standard ones (`/data` of `/data/db`, not `/var` or `/opt` of
/// `/var/www/uploads`, whose parents exist already).
fn parents_made(commands: &[Command]) -> Vec<String> {
    const STANDARD: &[&str] = &[
        "bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
        "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
    ];
    let mut out = Vec::new();
    for words in commands.iter().map(effective_words) {
        if words.first().is_none_or(|p| basename(p) != "mkdir") {
            continue;
        }
        let options = || words.iter().skip(1).map(|w| w.value.as_str());
        let parents = options().any(|v| {
            v == "--parents" || (v.starts_with('-') && !v.starts_with("--") && v.contains('p'))
        });
        if !parents {
            continue;
        }
        for operand in options().filter(|v| !v.starts_with('-')) {
            let path = norm(operand);
            if let Some(rest) = path.strip_prefix('/') {
                let first = rest.split('/').next().unwrap_or("");
                if STANDARD.contains(&first) {
                    continue;
                }
            }
            let mut at = path.as_str();
            while let Some((parent, _)) = at.rsplit_once('/') {
                if parent.is_empty() || parent == "." {
                    break;
                }
                out.push(parent.to_string());
                at = parent;
            }
        }
    }
    out
}

/// Whether every file is a folder the same command list made with `mkdir` before the chmod,
/// not a system folder, that no other command of the RUN names and that no other instruction
/// of the stage copies into, works in or names: a new, empty folder left writable for the
/// application's data (`mkdir -p /data && chmod 777 /data`, so that the container also works
/// under another `--user`), which holds no code anyone could replace.
fn new_data_folder(ctx: &Context, run: &ShellRun, files: &[Word], earlier: &[Command]) -> bool {
    // Paths written with variables the stage's `ENV` or `ARG` set before the RUN (`mkdir -p
    // ${DATA_DIR} && chmod 777 ${DATA_DIR}`: jellyfin) are read with their values.
    let known = |text: &str| known_value(ctx, run, text);
    let expand = |m: String| {
        if m.contains('$') {
            known(&m).map(|v| norm(&v))
        } else {
            Some(m)
        }
    };
    let named: Vec<String> = operands_of(earlier, "mkdir")
        .into_iter()
        .filter_map(expand)
        .collect();
    let made: Vec<String> = named
        .iter()
        .cloned()
        .chain(parents_made(earlier).into_iter().filter_map(expand))
        .collect();
    let Some(values) = files
        .iter()
        .map(|f| {
            if f.complex {
                known(&f.value)
            } else {
                Some(f.value.clone())
            }
        })
        .collect::<Option<Vec<String>>>()
    else {
        return false;
    };
    if files.is_empty() || values.iter().any(|v| !made.contains(&norm(v))) {
        return false;
    }
    let Some(stage) = ctx.stages.get(run.stage) else {
        return false;
    };
    let resolve = |dir: Option<String>, p: &str| -> Option<String> {
        if p.starts_with('/') {
            Some(join_path("/", p))
        } else {
            dir.map(|d| join_path(&d, p))
        }
    };
    let here = workdir_at(ctx, run.stage, run.ins);
    let Some(folders) = values
        .iter()
        .map(|v| resolve(here.clone(), v))
        .collect::<Option<Vec<String>>>()
    else {
        return false;
    };
    // Not a system folder (`mkdir -p /usr/local/bin` makes nothing new).
    const SYSTEM: &[&str] = &[
        "/bin", "/sbin", "/lib", "/lib64", "/usr", "/etc", "/boot", "/root",
    ];
    if folders
        .iter()
        .any(|f| f == "/" || SYSTEM.iter().any(|s| is_within(f, s)))
    {
        return false;
    }
    // Nothing else in the RUN names it (`tar -C`, `git clone`, `cp`): only mkdir, chown and
    // chmod touch it there.
    let named_elsewhere = run.commands.iter().any(|c| {
        let words = effective_words(c);
        !words
            .first()
            .is_some_and(|p| matches!(basename(p), "mkdir" | "chown" | "chmod"))
            && words.iter().skip(1).any(|w| {
                files.iter().any(|f| {
                    let f = f.value.trim_end_matches('/');
                    w.value == f || w.value.starts_with(&format!("{f}/"))
                })
            })
    });
    if named_elsewhere {
        return false;
    }
    // No other instruction of the stage puts anything there or works there, before or after
    // (a `WORKDIR` and `COPY . .` before a `mkdir -p` of the same folder: it existed and held
    // the code; a later RUN that names it may fill it).
    // A COPY or ADD into it or below it (before or after), or, after the RUN, into a folder
    // above it (which may fill it); a WORKDIR in it; another RUN that names it.
    let touches = |i: &Instruction, later: bool| -> bool {
        let (dest, into_parent) = match (i.kind(), &i.node.args) {
            (Kind::Copy | Kind::Add, Args::Words(w)) => {
                (w.last().map(|d| d.slice(&i.logical).to_string()), later)
            }
            (Kind::Copy | Kind::Add, Args::Json(v)) => (v.last().map(|d| d.value.clone()), later),
            (Kind::Workdir, Args::Text(t)) => (Some(t.slice(&i.logical).trim().to_string()), false),
            (Kind::Run, _) => return folders.iter().any(|f| names_path(&i.logical, f)),
            _ => return false,
        };
        // A destination that cannot be resolved may be inside: not a data folder then.
        match dest.and_then(|d| resolve(workdir_at(ctx, run.stage, i), &d)) {
            Some(d) => folders
                .iter()
                .any(|f| is_within(&d, f) || (into_parent && is_within(f, &d))),
            None => true,
        }
    };
    let at = stage
        .instructions
        .iter()
        .position(|i| std::ptr::eq(*i, run.ins))
        .unwrap_or(0);
    // A folder `mkdir -p` made only as a parent is new only if no COPY or ADD before put files
    // at, in or above it, in this stage or a stage it is built on (`WORKDIR /var/www/html`,
    // `COPY . .`, then `mkdir -p bootstrap/cache && chmod -R 777 bootstrap`: `bootstrap` came
    // with the code).
    let parents_only: Vec<&String> = folders
        .iter()
        .zip(&values)
        .filter(|(_, v)| !named.contains(&norm(v)))
        .map(|(f, _)| f)
        .collect();
    if !parents_only.is_empty() {
        let chain = crate::rules::common::stage_chain(ctx, run.stage);
        let filled_before = chain.iter().any(|&st| {
            ctx.stages.get(st).is_some_and(|stg| {
                stg.instructions
                    .iter()
                    .copied()
                    .take_while(|i| !std::ptr::eq(*i, run.ins))
                    .any(|i| {
                        let dest = match (i.kind(), &i.node.args) {
                            (Kind::Copy | Kind::Add, Args::Words(w)) => {
                                w.last().map(|d| d.slice(&i.logical).to_string())
                            }
                            (Kind::Copy | Kind::Add, Args::Json(v)) => {
                                v.last().map(|d| d.value.clone())
                            }
                            _ => return false,
                        };
                        match dest.and_then(|d| resolve(workdir_at(ctx, st, i), &d)) {
                            Some(d) => parents_only
                                .iter()
                                .any(|f| is_within(f, &d) || is_within(&d, f)),
                            None => true,
                        }
                    })
            })
        });
        if filled_before {
            return false;
        }
    }
    !stage
        .instructions
        .iter()
        .enumerate()
        .filter(|(n, _)| *n != at)
        .any(|(n, i)| touches(i, n > at))
}

/// The text of some words, as the shell reads them.
fn text(words: &[Word]) -> String {
    let values: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
    values.join(" ")
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        let mut found: Vec<(Span, String)> = Vec::new();
        for commands in run.nested_commands() {
            for (download, shell) in piped_scripts(commands) {
                let Some(program) = download.first() else {
                    continue;
                };
                found.push((
                    word_span(run, program, shell),
                    format!("`{} | {}` {PIPE}", basename(program), shell.value),
                ));
            }
            for (i, cmd) in commands.iter().enumerate() {
                let words = effective_words(cmd);
                let Some((first, args)) = words.split_first() else {
                    continue;
                };
                if let Some(kind) = interpreter(basename(first))
                    && let Some(script) = substituted_script(kind, args)
                {
                    found.push((
                        word_span(run, first, script),
                        format!("`{}` {PIPE}", script_form(basename(first), &script.value)),
                    ));
                }
                if let Some(ws) = insecure_tls(words)
                    && let (Some(a), Some(z)) = (ws.first(), ws.last())
                {
                    found.push((
                        word_span(run, a, z),
                        format!("`{} {}` {TLS}", basename(first), text(ws)),
                    ));
                }
                if let Some(ws) = unauthenticated(words)
                    && let (Some(a), Some(z)) = (ws.first(), ws.last())
                {
                    found.push((
                        word_span(run, a, z),
                        format!("`{} {}` {UNSIGNED}", basename(first), text(ws)),
                    ));
                }
                // Modes matter in the image: a stage only copied from keeps them out of it
                // (TGI's builder makes `~/.cargo` writable for its build user).
                if let Some((mode, files)) = chmod_world_writable(words)
                    && modes_reach_an_image(ctx, run, files)
                    && !removed_later(files, commands.get(i + 1..).unwrap_or_default())
                    && !new_data_folder(ctx, run, files, commands.get(..i).unwrap_or_default())
                    && !for_any_user(ctx, run, mode.span)
                {
                    found.push((
                        word_span(run, first, mode),
                        format!("`chmod {}` {WORLD_WRITABLE}", mode.value),
                    ));
                }
            }
        }
        found.sort_by_key(|(span, _)| span.start);
        found.dedup();
        out.extend(
            found
                .into_iter()
                .map(|(span, message)| Diagnostic::new(&RULE, span, message)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Vec<Command> {
        nested_commands(text).concat()
    }

    #[test]
    fn pipes() {
        let hits = |t: &str| {
            nested_commands(t)
                .iter()
                .map(|c| piped_scripts(c).len())
                .sum::<usize>()
        };
        assert_eq!(hits("curl -fsSL https://x | sh"), 1);
        assert_eq!(hits("curl -fsSL https://x | sudo -E bash -"), 1);
        assert_eq!(hits("wget -qO- https://x | bash -s -- -y"), 1);
        assert_eq!(hits("wget -O - https://x | tee /log | sh"), 1);
        assert_eq!(hits("curl -sSL https://x/get-pip.py | python3"), 1);
        assert_eq!(hits("curl -s https://x | python3 -c 'import json'"), 0);
        assert_eq!(hits("curl -s https://x | python -m json.tool"), 0);
        assert_eq!(hits("curl -s https://x | perl -ne 'print'"), 0);
        assert_eq!(hits("curl -s https://x | bash -c 'cat > f'"), 0);
        assert_eq!(hits("curl -s https://x | sh /tmp/script.sh"), 0);
        assert_eq!(hits("curl -fsSLo x.sh https://x | sh"), 0);
        assert_eq!(hits("wget https://x | sh"), 0);
        assert_eq!(hits("curl -s https://x | tar xz"), 0);
        assert_eq!(hits("curl -s https://x; sh"), 0);
        assert_eq!(hits("V=$(curl -s https://x | sh) && echo"), 1);
        assert_eq!(hits("echo '$(curl -s https://x | sh)'"), 0);
        assert_eq!(hits("curl -s https://x | sh \"$(echo a)\""), 0);
        assert_eq!(hits("curl -s https://x | sh -s \"$(echo a)\""), 1);
    }

    #[test]
    fn modes() {
        for yes in [
            "777", "0777", "-R 777", "666", "2777", "a+rwx", "o+w", "ugo=rwx", "u+x,o+w",
        ] {
            let m = yes.rsplit(' ').next().unwrap();
            assert!(world_writable(m), "{yes}");
        }
        for no in [
            "755", "1777", "775", "+w", "a+rx", "a+rwxt", "o-w", "g+w", "a-w+r",
        ] {
            assert!(!world_writable(no), "{no}");
        }
    }

    #[test]
    fn tls() {
        let hit = |t: &str| {
            let c = cmd(t);
            insecure_tls(effective_words(&c[0])).is_some()
        };
        assert!(hit("curl -fsSLk https://x"));
        assert!(hit("curl --insecure https://x"));
        assert!(hit("sudo wget --no-check-certificate https://x"));
        assert!(hit("pip install --trusted-host pypi.org x"));
        assert!(hit("python3 -m pip install --trusted-host=pypi.org x"));
        assert!(hit("npm config set strict-ssl false"));
        assert!(hit("git config --global http.sslVerify false"));
        assert!(hit("git -c http.sslVerify=false clone https://x"));
        assert!(!hit("curl -u key:k https://x"));
        assert!(!hit("curl -H 'k: v' -o k https://x"));
        assert!(!hit("npm config set strict-ssl true"));
    }
}
