use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{command_words, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF214",
    name: "useradd-lastlog",
    aliases: &["DL3046"],
    summary: "`useradd -u <large UID>` without `-l`: a huge sparse lastlog in the layer",
    doc: "## What it does
Flags `useradd` with a UID of six digits or more (`-u 100000`, `--uid=123456`) and without
`-l`/`--no-log-init`, as hadolint's DL3046 does.

## Why is this bad?
`useradd` reserves the user's record in `/var/log/lastlog` and `/var/log/faillog` at an offset
proportional to the UID. On disk the file is sparse, but image layers store it in full: a UID of
a few million adds gigabytes to the image, and builds run out of space.

## Example
```dockerfile
RUN useradd -u 1000000 app
```
Use instead:
```dockerfile
RUN useradd -l -u 1000000 app
```

## Fix safety
Unsafe: `-l` is added after `useradd`. The user exists as before, but has no lastlog and faillog
records (tools such as `lastlog` show nothing for it).
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Unsafe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        for cmd in &run.commands {
            let words = command_words(cmd);
            let Some(program) = words.first() else {
                continue;
            };
            if program.value.rsplit('/').next() != Some("useradd") {
                continue;
            }
            let mut no_log = false;
            let mut uid: Option<&str> = None;
            let mut it = words.iter().skip(1).peekable();
            while let Some(w) = it.next() {
                let v = w.value.as_str();
                if v == "--" {
                    break;
                }
                if v == "--no-log-init" {
                    no_log = true;
                } else if let Some(u) = v.strip_prefix("--uid=") {
                    uid = Some(u);
                } else if v == "--uid" {
                    uid = it.next().map(|n| n.value.as_str());
                } else if let Some(cluster) = v.strip_prefix('-').filter(|c| !c.starts_with('-')) {
                    // Short options: `-l`, `-u 123`, `-u123`, clusters such as `-lu 123`.
                    for (k, c) in cluster.char_indices() {
                        match c {
                            'l' => no_log = true,
                            'u' => {
                                let rest = cluster.get(k + 1..).unwrap_or("");
                                uid = if rest.is_empty() {
                                    it.next().map(|n| n.value.as_str())
                                } else {
                                    Some(rest)
                                };
                                break;
                            }
                            // Options that take a value end the cluster.
                            'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'G' | 'k' | 'K' | 'p' | 's'
                            | 'Z' | 'R' | 'P' => {
                                if cluster.get(k + 1..).unwrap_or("").is_empty() {
                                    it.next();
                                }
                                break;
                            }
                            _ => {}
                        }
                    }
                }
            }
            let Some(uid) = uid else {
                continue;
            };
            if no_log || uid.len() <= 5 || !uid.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &RULE,
                    word_span(run, program, program),
                    format!(
                        "`useradd -u {uid}` without `-l`: the lastlog and faillog files take space in the layer in proportion to the UID"
                    ),
                )
                .with_fix(Fix::unsafe_(
                    "Add `-l` (`--no-log-init`)",
                    vec![Edit::insert(run.after_word(program), " -l")],
                )),
            );
        }
    }
}
