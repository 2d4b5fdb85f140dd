use super::from_words;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Item, Kind};

pub static RULE: Rule = Rule {
    code: "DF923",
    name: "invalid-definition-description",
    aliases: &["InvalidDefinitionDescription"],
    summary: "A comment above `ARG` or `FROM ... AS` that is not `# <name> <description>`",
    doc: "## What it does
Flags the comment right above an `ARG` or a named `FROM` when its first word is not the
argument's or the stage's name, as BuildKit's experimental `InvalidDefinitionDescription` check
does. BuildKit reads such comments as descriptions (`docker buildx build --call=outline` shows
them) when they follow the form `# <name> <description>`. As in BuildKit, the comment lines
since the previous instruction count (an empty `#` line starts over; blank lines do not), and
the last of them is the one checked. Off by default, as the check is experimental in BuildKit.

## Why is this bad?
Tools that list a Dockerfile's build arguments and targets show the comment as its
description: a comment about something else becomes a misleading description.

## Example
```dockerfile
# the Go toolchain
ARG GO_VERSION=1.23
```
Use instead:
```dockerfile
# GO_VERSION the Go toolchain version
ARG GO_VERSION=1.23
```

## Fix safety
No fix: the description is the author's to write (or to separate with an empty `#` line).
",
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut comments: Vec<String> = Vec::new();
    for item in &ctx.doc.items {
        match item {
            Item::Comment(span) => {
                let line = span.slice(&ctx.doc.text).trim_end_matches(['\r', '\n']);
                // BuildKit drops the line's first byte (the `#` when it starts the line).
                let text = line.get(1..).unwrap_or("").trim().to_string();
                if text.is_empty() {
                    comments.clear();
                } else {
                    comments.push(text);
                }
            }
            Item::Instruction(ins) => {
                let keys: Vec<String> = match (ins.kind(), &ins.node.args) {
                    (Kind::Arg, Args::Words(words)) => words
                        .iter()
                        .map(|w| {
                            let t = w.slice(&ins.logical);
                            t.split('=').next().unwrap_or(t).to_string()
                        })
                        .collect(),
                    (Kind::From, _) => from_words(ins)
                        .and_then(|w| w.alias)
                        .map(|(_, n)| vec![n.slice(&ins.logical).to_lowercase()])
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                if let (Some(last), false) = (comments.last(), keys.is_empty()) {
                    let first = last.split(' ').next().unwrap_or("");
                    if !keys.iter().any(|k| k == first) {
                        let example = match keys.as_slice() {
                            [one] => one.as_str(),
                            _ => "<arg_key>",
                        };
                        out.push(Diagnostic::new(
                            &RULE,
                            ins.to_source(ins.node.keyword),
                            format!(
                                "The comment above `{}` reads as its description: write `# {example} <description>`, or separate it with an empty `#` line",
                                ins.kind().keyword()
                            ),
                        ));
                    }
                }
                comments.clear();
            }
            _ => {}
        }
    }
}
