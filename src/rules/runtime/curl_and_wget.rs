use crate::rules::common::word_span;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, programs};

pub static RULE: Rule = Rule {
    code: "DF310",
    name: "curl-and-wget",
    aliases: &["DL4001"],
    summary: "Both `curl` and `wget` in one stage",
    doc: "## What it does
Flags the first use of `wget` in a stage that also uses `curl`, or of `curl` in one that
also uses `wget` (whichever comes second), as hadolint's DL4001 does; a use inside a command substitution
(`V=$(curl -s $URL)`) counts. Stages are counted apart: each starts with neither.

## Why is this bad?
Two download tools do one job: the image carries both (and their libraries), and the file is
harder to read. Pick one.

## Example
```dockerfile
RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
RUN wget -q -O /tmp/b.tgz https://example.com/b.tgz
```
Use instead:
```dockerfile
RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz \\
 && curl -fsSLo /tmp/b.tgz https://example.com/b.tgz
```

## Fix safety
No fix: the two tools' options differ, and which one to keep (and remove from the packages) is
the user's choice.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Per stage, the first curl and the first wget: (span start, span).
    let mut firsts: Vec<[Option<crate::syntax::Span>; 2]> = vec![[None, None]; ctx.stages.len()];
    for (k, grammar) in [&programs::CURL, &programs::WGET].into_iter().enumerate() {
        for (run, _, call) in ctx.calls(grammar) {
            let Some(w) = call.program_word() else {
                continue;
            };
            let span = word_span(run, w, w);
            if let Some(slot) = firsts.get_mut(run.stage).and_then(|f| f.get_mut(k))
                && slot.is_none_or(|s| span.start < s.start)
            {
                *slot = Some(span);
            }
        }
    }
    // Inside command substitutions too (`V=$(curl -s $URL)`).
    for run in ctx.shell_runs() {
        for cmd in run.nested_commands().skip(1).flatten() {
            let k = match cmd.program() {
                Some("curl") => 0,
                Some("wget") => 1,
                _ => continue,
            };
            let Some(w) = cmd.words.first() else {
                continue;
            };
            let span = word_span(run, w, w);
            if let Some(slot) = firsts.get_mut(run.stage).and_then(|f| f.get_mut(k))
                && slot.is_none_or(|s| span.start < s.start)
            {
                *slot = Some(span);
            }
        }
    }
    for [curl, wget] in firsts {
        let (Some(c), Some(w)) = (curl, wget) else {
            continue;
        };
        let (span, second, first) = if c.start > w.start {
            (c, "curl", "wget")
        } else {
            (w, "wget", "curl")
        };
        out.push(Diagnostic::new(
            &RULE,
            span,
            format!("`{second}` in a stage that also uses `{first}`: use one of them"),
        ));
    }
}
