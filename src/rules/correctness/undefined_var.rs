use super::{BUILTIN_ARGS, global_args};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, common};
use crate::syntax::{Args, Instruction, Kind, Span};
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    code: "DF928",
    name: "undefined-var",
    aliases: &["UndefinedVar"],
    summary: "A variable used before any `ENV` or `ARG` defines it",
    doc: "## What it does
Flags a variable that an instruction expands (`$NAME`, `${NAME}`, `${NAME:-default}` and the
other `${...}` forms) when no `ARG` of the stage, no `ENV` and no `ARG` with a value before it,
and nothing the base image sets, defines it, as BuildKit's `UndefinedVar` check does. The
message names a defined variable that is one or two edits away, as BuildKit's \"did you mean\"
(not for `$1` or `$@`).

It reads what BuildKit expands with the build's variables: `ENV` and `LABEL` (keys and values),
the default of a stage's `ARG`, `COPY` and `ADD` (sources, destination, `--chown`, `--chmod`,
`ADD --checksum`, and the body of a heredoc with an unquoted delimiter), `WORKDIR`, `USER`,
`VOLUME`, `STOPSIGNAL` and the options of `RUN --mount`. The commands of `RUN`, `CMD` and
`ENTRYPOINT` are not read: their shell (or the program) expands them when the container runs,
with the whole environment. `FROM` is DF907's (UndefinedArgInFrom). As in BuildKit, a
variable in `${NAME:-default}` counts as used, an `ARG` declared without a value defines its
name, BuildKit's platform arguments (`TARGETPLATFORM`, `BUILDARCH`...) and the proxy
arguments are defined only where a stage declares them with `ARG`, and every Linux image has
`PATH`.

BuildKit reads the base image's environment from the registry; dockerfix does not. The rule
reports only in stages whose environment is known: `FROM scratch`, stages built on such a
stage of the file, and the official images whose whole environment dockerfix knows (`alpine`,
`busybox`, `debian`, `ubuntu`, `buildpack-deps`, `python`, `node`, `golang`, `rust`,
`postgres`, `redis`, `mysql`, `mongo`: the table `images::env::ENV_NAMES`, checked against
their Dockerfiles, with the names older tags set). Elsewhere (any other image, a Windows tag or
platform, a base image named by a build argument) it is quiet.

## Why is this bad?
An undefined variable expands to an empty string, without an error: `COPY $APP_DIR/ /srv/`
copies the whole context, `WORKDIR /opt/$VERSION` is `/opt/`. Most often the name is a typo
(`$PYTHON_VERISON`), or an `ARG` declared before `FROM` that the stage did not declare again.

## Example
```dockerfile
ARG VERSION=1.2
FROM alpine:3.20
COPY app-$VERSION.tar.gz /opt/
```
Use instead:
```dockerfile
ARG VERSION=1.2
FROM alpine:3.20
ARG VERSION
COPY app-$VERSION.tar.gz /opt/
```

## Fix safety
No fix: whether the name is a typo or an `ARG` is missing (and where it belongs) is the
author's choice.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

/// What a stage has defined at a point: the environment's names (in the order they were set,
/// for suggestions) and the build arguments it declared (with or without a value).
#[derive(Clone, Debug, Default)]
struct Scope {
    env: Vec<String>,
    /// The names of `env`, for lookups.
    set: HashSet<String>,
    args: HashSet<String>,
}

impl Scope {
    fn defined(&self, name: &str) -> bool {
        self.args.contains(name) || self.set.contains(name)
    }

    fn set_env(&mut self, name: &str) {
        if self.set.insert(name.to_string()) {
            self.env.push(name.to_string());
        }
    }

    /// BuildKit's suggestion: the environment name closest to `name` by edit distance, if
    /// under 3 (the first of equals wins).
    fn suggest(&self, name: &str) -> Option<&str> {
        let mut best = None;
        let mut min = 3;
        for opt in &self.env {
            if opt == name {
                return None;
            }
            // The distance is at least the difference in length.
            if opt.len().abs_diff(name.len()) >= min {
                continue;
            }
            let d = levenshtein(name, opt);
            if d < min {
                min = d;
                best = Some(opt.as_str());
            }
        }
        best
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// The variables BuildKit's word lexer looks up in `text`, each with its byte range in
/// `text` (from the `$` to the end of the name, or of the `${...}`'s name): `$NAME`,
/// `${NAME...}` (also the names inside a `${A:-$B}` word), `$1` and the special parameters.
/// Not inside single quotes, not after the escape character. `raw` is BuildKit's
/// `SkipProcessQuotes` (heredoc bodies): quotes are plain characters.
pub(super) fn references(text: &str, escape: char, raw: bool) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut double = false;
    while let Some((i, c)) = chars.next() {
        if c == escape {
            // In double quotes only `"`, `$` and the escape character are escaped.
            let escaped = chars
                .peek()
                .is_some_and(|&(_, n)| !double || matches!(n, '"' | '$') || n == escape);
            if escaped {
                chars.next();
            }
            continue;
        }
        if !raw && c == '"' {
            double = !double;
            continue;
        }
        if !raw && !double && c == '\'' {
            for (_, n) in chars.by_ref() {
                if n == '\'' {
                    break;
                }
            }
            continue;
        }
        if c != '$' {
            continue;
        }
        let braced = matches!(chars.peek(), Some(&(_, '{')));
        if braced {
            chars.next();
            // `${`, `${}`, `${:...}`: a syntax error, the build fails.
            if matches!(chars.peek(), None | Some(&(_, '{' | '}' | ':'))) {
                continue;
            }
        }
        let start = i + if braced { 2 } else { 1 };
        let rest = text.get(start..).unwrap_or("");
        let len = name_len(rest);
        if len == 0 {
            continue;
        }
        for _ in 0..rest.get(..len).map_or(0, |n| n.chars().count()) {
            chars.next();
        }
        if let Some(name) = rest.get(..len) {
            out.push((i, start + len, name));
        }
    }
    out
}

/// BuildKit's `processName`: digits (`$1`), one special parameter (`$@`, `$#`...), or letters,
/// digits and `_`.
fn name_len(s: &str) -> usize {
    let mut it = s.chars();
    match it.next() {
        Some(c) if c.is_ascii_digit() => s.chars().take_while(char::is_ascii_digit).count(),
        Some('@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') => 1,
        Some(_) => s
            .char_indices()
            .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
            .last()
            .map_or(0, |(k, c)| k + c.len_utf8()),
        None => 0,
    }
}

/// Where an instruction's expanded text is: in its logical line (to map to the source), a
/// source span reported whole (a flag, a JSON string), or a heredoc body in the source.
enum Place {
    Logical(Span),
    Whole(Span, String),
    Body(Span),
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Stage ARGs without a value take the global default, or BuildKit's own value.
    let globals: HashSet<String> = global_args(ctx)
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k)
        .chain(BUILTIN_ARGS.iter().map(|(k, _)| (*k).to_string()))
        .collect();
    let mut ends: Vec<Option<Scope>> = vec![None];
    for (s, stage) in ctx.stages.iter().enumerate().skip(1) {
        let start = match common::stage_parent(ctx, s) {
            Some(p) => ends.get(p).cloned().flatten(),
            None => known_base(ctx, s),
        };
        let Some(mut scope) = start else {
            ends.push(None);
            continue;
        };
        for ins in &stage.instructions {
            step(ctx, ins, &mut scope, &globals, out);
        }
        ends.push(Some(scope));
    }
}

/// The environment a stage without a parent stage starts with, when known.
fn known_base(ctx: &Context, stage: usize) -> Option<Scope> {
    let from = ctx.stages.get(stage)?.from?;
    if let Some(p) = from.node.flag("platform").and_then(|f| f.value())
        && crate::images::mentions_windows(p)
    {
        return None;
    }
    let base = common::base_image_of(ctx, stage)?;
    let name = base.literal_official_name()?;
    if crate::images::mentions_windows(&crate::images::tag_of(&base.resolved)) {
        return None;
    }
    let names = if name == "scratch" {
        vec!["PATH"]
    } else {
        crate::images::env_names(&name)?
    };
    let env: Vec<String> = names.into_iter().map(str::to_string).collect();
    Some(Scope {
        set: env.iter().cloned().collect(),
        env,
        args: HashSet::new(),
    })
}

fn step(
    ctx: &Context,
    ins: &Instruction,
    scope: &mut Scope,
    globals: &HashSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    let text = &ins.logical;
    let mut places: Vec<Place> = Vec::new();
    let flags = |names: &[&str], places: &mut Vec<Place>| {
        for f in ins.node.flags.iter().filter(|f| names.contains(&f.name())) {
            if let Some(v) = f.value() {
                places.push(Place::Whole(ins.to_source(f.span), v.to_string()));
            }
        }
    };
    let args = |places: &mut Vec<Place>| match &ins.node.args {
        Args::Words(words) => places.extend(words.iter().map(|w| Place::Logical(*w))),
        Args::Text(t) => places.push(Place::Logical(*t)),
        Args::Json(items) => places.extend(
            items
                .iter()
                .map(|a| Place::Whole(ins.to_source(a.span), a.value.clone())),
        ),
        _ => {}
    };
    match ins.kind() {
        Kind::Arg => {
            let Args::Words(words) = &ins.node.args else {
                return;
            };
            for w in words {
                let word = w.slice(text);
                let (key, has_value) = match word.split_once('=') {
                    Some((k, _)) => {
                        let at = w.start + k.len() + 1;
                        let value = Span::new(at, w.end);
                        report(ctx, ins, &[Place::Logical(value)], scope, out);
                        (k, true)
                    }
                    None => (word, false),
                };
                if has_value || globals.contains(key) {
                    scope.set_env(key);
                }
                scope.args.insert(key.to_string());
            }
            return;
        }
        Kind::Env | Kind::Label => {
            if let Args::Pairs(pairs) = &ins.node.args {
                for p in pairs {
                    places.push(Place::Logical(p.key));
                    places.push(Place::Logical(p.value));
                }
            }
        }
        Kind::Copy | Kind::Add => {
            flags(&["chown", "chmod"], &mut places);
            if ins.kind() == Kind::Add {
                flags(&["checksum"], &mut places);
            }
            args(&mut places);
            places.extend(
                ins.heredocs
                    .iter()
                    .filter(|h| h.expand)
                    .map(|h| Place::Body(h.body)),
            );
        }
        Kind::Workdir | Kind::User | Kind::Volume | Kind::Stopsignal => args(&mut places),
        Kind::Run => flags(&["mount"], &mut places),
        _ => {}
    }
    report(ctx, ins, &places, scope, out);
    if ins.kind() == Kind::Env
        && let Args::Pairs(pairs) = &ins.node.args
    {
        for p in pairs {
            scope.set_env(p.key.slice(text));
        }
    }
}

fn report(
    ctx: &Context,
    ins: &Instruction,
    places: &[Place],
    scope: &Scope,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: Vec<String> = Vec::new();
    for place in places {
        let found: Vec<(Span, &str)> = match place {
            Place::Logical(span) => references(span.slice(&ins.logical), ctx.doc.escape, false)
                .into_iter()
                .map(|(a, b, n)| {
                    let s = Span::new(span.start + a, span.start + b);
                    (ins.to_source(s), n)
                })
                .collect(),
            Place::Whole(span, value) => references(value, ctx.doc.escape, false)
                .into_iter()
                .map(|(_, _, n)| (*span, n))
                .collect(),
            Place::Body(body) => references(ctx.doc.slice(*body), '\\', true)
                .into_iter()
                .map(|(a, b, n)| (Span::new(body.start + a, body.start + b), n))
                .collect(),
        };
        for (span, name) in found {
            if scope.defined(name) || seen.iter().any(|s| s == name) {
                continue;
            }
            seen.push(name.to_string());
            // No suggestion for `$1` or `$@` (BuildKit's would name any one-letter variable).
            let hint = name
                .starts_with(|c: char| c.is_alphabetic() || c == '_')
                .then(|| scope.suggest(name))
                .flatten()
                .map(|m| format!(" (did you mean `${m}`?)"))
                .unwrap_or_default();
            out.push(Diagnostic::new(
                &RULE,
                span,
                format!("Usage of undefined variable `${name}`{hint}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, raw: bool) -> Vec<&str> {
        references(text, '\\', raw)
            .into_iter()
            .map(|(_, _, n)| n)
            .collect()
    }

    #[test]
    fn references_as_buildkit_reads_them() {
        assert_eq!(names("a${B:-$C}d$E_1", false), ["B", "C", "E_1"]);
        assert_eq!(names("'$A' \\$B ${ $", false), Vec::<&str>::new());
        assert_eq!(names("\"$A\" \"'$B'\" \"\\$C\"", false), ["A", "B"]);
        assert_eq!(names("'$A' \"x\" $1 $@", true), ["A", "1", "@"]);
        assert_eq!(names("${A%%x}${B/p/$C}", false), ["A", "B", "C"]);
        let r = references("x/${NAME:-d}", '\\', false);
        assert_eq!(r, [(2, 8, "NAME")]);
        assert_eq!(names("`$A $B", false), ["A", "B"]);
        assert_eq!(
            references("`$A $B", '`', false)
                .into_iter()
                .map(|(_, _, n)| n)
                .collect::<Vec<_>>(),
            ["B"]
        );
    }

    #[test]
    fn suggestions_within_two_edits() {
        let mut scope = Scope::default();
        scope.set_env("PATH");
        scope.set_env("DIR_ASSETS");
        assert_eq!(scope.suggest("PAHT"), Some("PATH"));
        assert_eq!(scope.suggest("DIR_ASSET"), Some("DIR_ASSETS"));
        assert_eq!(scope.suggest("HOME"), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
