use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Instruction, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF303",
    name: "secret-in-arg-env",
    aliases: &["DL3064", "SecretsUsedInArgOrEnv"],
    summary: "Secret-like names in ARG or ENV end up in the image",
    doc: "## What it does
Flags `ARG` and `ENV` keys whose names say they hold a secret, exactly as BuildKit's
`SecretsUsedInArgOrEnv` check does: the name, split on `_` and compared without case, has a
word `apikey`, `auth`, `credential`, `credentials`, `key`, `password`, `pword`, `passwd`,
`secret` or `token` (`GITHUB_TOKEN`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, `API_KEY`), and
no word `public`, `file` or `version` (`SSH_PUBLIC_KEY`, `PASSWORD_FILE`, `KEY_VERSION` are
fine). Only whole words count: `KEYBOARD`, `GPG_KEYS`, `AUTHORS` and `API-KEY` are not
flagged. Like BuildKit, ARGs before the first `FROM` (global build arguments, only seen by
`FROM` lines) and instructions under `ONBUILD` are not checked. Unlike BuildKit, an `ENV`
with an empty value (`ENV PASSWORD=\"\"`, a placeholder the container is given at run time)
is not flagged: it stores nothing; nor is an `ENV` value that switches a setting (`true`, `false`,
`yes`, `no`, `on`, `off`, `0`, `1`, `enabled`, `disabled`: `GF_AUTH_ANONYMOUS_ENABLED=false`,
where `auth` names Grafana's settings section); nor is the ID of an OpenPGP key, a name with a word `gpg`,
`pgp` or `gnupg` whose value, if any, is hexadecimal (`ENV GPG_KEY
A035C8C19219BA821ECEA86B64E628F8D684696D`, the fingerprint the official images verify their
downloads with: public by design; 33 of BuildKit's 53 findings on the corpus). An `ARG`
without a value still is flagged (unless it names such a key): its value comes from
`--build-arg`.

## Why is this bad?
`ENV` values are stored in the image configuration, and the values of build arguments that a
`RUN` uses are recorded in the image history: anyone who can pull the image can read them
(`docker history`, `docker inspect`), and they stay in every image built on top of it.

## Example
```dockerfile
ARG GITHUB_TOKEN
RUN git clone https://$GITHUB_TOKEN@github.com/acme/private.git
```
Use instead:
```dockerfile
RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN \\
    git clone https://$GITHUB_TOKEN@github.com/acme/private.git
```
and build with `docker build --secret id=github_token,env=GITHUB_TOKEN .`.

## Fix safety
No fix: a secret mount needs the build command to pass the secret, and the name may not hold
a secret at all. Silence such a key with `# dockerfix: ignore=DF303` above the instruction.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

/// BuildKit's `getSecretsRegex` deny words (`(?i)(?:_|^)(?:...)(?:_|$)`).
const SECRET_WORDS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// BuildKit's allow words: a name with one of them is not a secret.
const ALLOW_WORDS: &[&str] = &["public", "file", "version"];

/// Whether BuildKit's `SecretsUsedInArgOrEnv` reports a key: one of its `_`-separated words
/// is a secret word and none is an allow word. (The regular expressions match a word between
/// `_` or the ends of the name anywhere in it, which is this.)
pub(in crate::rules) fn looks_like_secret(key: &str) -> bool {
    let has = |list: &[&str]| {
        key.split('_')
            .any(|w| list.iter().any(|s| w.eq_ignore_ascii_case(s)))
    };
    has(SECRET_WORDS) && !has(ALLOW_WORDS)
}

/// Whether a name and its value (if any) are an OpenPGP key's ID or fingerprint: a word
/// `gpg`, `pgp` or `gnupg` in the name, and a value of hexadecimal words (`0x` allowed) that
/// `gpg --recv-keys` takes. A public key's ID, not a secret.
fn openpgp_key_id(name: &str, value: Option<&str>) -> bool {
    let has = |list: &[&str]| {
        name.split('_')
            .any(|w| list.iter().any(|s| w.eq_ignore_ascii_case(s)))
    };
    // A key's ID, not its private half or a passphrase (`GPG_PRIVATE_KEY`, `PGP_PASSWORD`).
    has(&["gpg", "pgp", "gnupg"])
        && !has(&[
            "private",
            "secret",
            "password",
            "passwd",
            "pass",
            "passphrase",
            "pword",
            "token",
            "auth",
            "credential",
            "credentials",
        ])
        && value.is_none_or(|v| {
            let v = v.trim_matches(|c| c == '"' || c == '\'');
            !v.is_empty()
                && v.split_whitespace().all(|id| {
                    let hex = id.strip_prefix("0x").unwrap_or(id);
                    hex.len() >= 8 && hex.bytes().all(|b| b.is_ascii_hexdigit())
                })
        })
}

/// The key as BuildKit compares it: quotes removed.
fn unquote(key: &str) -> String {
    key.chars().filter(|c| !matches!(c, '"' | '\'')).collect()
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Stage 0 holds what comes before the first FROM: global ARGs, which BuildKit does not
    // dispatch (nor check).
    for stage in ctx.stages.iter().skip(1) {
        for ins in &stage.instructions {
            match (ins.kind(), &ins.node.args) {
                (Kind::Env, Args::Pairs(pairs)) => {
                    // An empty value (`ENV PASSWORD=""`) is a placeholder: it stores nothing.
                    for p in pairs
                        .iter()
                        .filter(|p| !matches!(p.value.slice(&ins.logical), "" | "\"\"" | "''"))
                        .filter(|p| !switch(p.value.slice(&ins.logical)))
                        .filter(|p| {
                            !openpgp_key_id(
                                &unquote(p.key.slice(&ins.logical)),
                                Some(p.value.slice(&ins.logical)),
                            )
                        })
                    {
                        report(ins, "ENV", p.key, out);
                    }
                }
                (Kind::Arg, Args::Words(words)) => {
                    for w in words {
                        let text = w.slice(&ins.logical);
                        let (name, value) = match text.split_once('=') {
                            Some((n, v)) => (n, Some(v)),
                            None => (text, None),
                        };
                        if openpgp_key_id(&unquote(name), value) {
                            continue;
                        }
                        report(ins, "ARG", Span::new(w.start, w.start + name.len()), out);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A value that switches a setting on or off (`GF_AUTH_ANONYMOUS_ENABLED=false`: `auth` names
/// Grafana's section, and `false` is no secret).
fn switch(value: &str) -> bool {
    let v = unquote(value).to_ascii_lowercase();
    matches!(
        v.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1" | "enabled" | "disabled"
    )
}

fn report(ins: &Instruction, keyword: &str, key: Span, out: &mut Vec<Diagnostic>) {
    let name = unquote(key.slice(&ins.logical));
    if name.is_empty() || !looks_like_secret(&name) {
        return;
    }
    let stored = if keyword == "ENV" {
        "ENV values are stored in the image config"
    } else {
        "build-arg values are recorded in the image history"
    };
    out.push(Diagnostic::new(
        &RULE,
        ins.to_source(key),
        format!(
            "{keyword} `{name}` looks like a secret: {stored}; use a secret mount (`RUN --mount=type=secret`)"
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::{looks_like_secret, openpgp_key_id};

    #[test]
    fn openpgp_key_ids_are_public() {
        for (name, value) in [
            ("GPG_KEY", Some("A035C8C19219BA821ECEA86B64E628F8D684696D")),
            (
                "GPG_COUCH_KEY",
                Some("390EF70BB1EA12B2773962950EE62FB37A00258D"),
            ),
            ("NODE_GPG_KEY", Some("\"0x7E4753A4 0xB2B3C4D5\"")),
            ("GPG_KEY", None),
            ("PGP_KEY", Some("B42F6819007F00F88E364FD4036A9C25BF357DD4")),
        ] {
            assert!(openpgp_key_id(name, value), "{name}={value:?}");
        }
        for (name, value) in [
            // A passphrase, not an ID; a word of the name is not enough.
            ("GPG_PASSPHRASE", Some("hunter2hunter2")),
            ("GPG_KEY", Some("-----BEGIN PGP PRIVATE KEY BLOCK-----")),
            ("GPG_KEY", Some("")),
            ("API_KEY", Some("A035C8C19219BA821ECEA86B64E628F8D684696D")),
            ("GPG_KEY", Some("ABC")),
            ("GPG_PRIVATE_KEY", None),
            ("GPG_PASSWORD", None),
            ("PGP_PASSWORD", Some("0a1b2c3d4e5f6a7b")),
        ] {
            assert!(!openpgp_key_id(name, value), "{name}={value:?}");
        }
    }

    #[test]
    fn buildkit_words() {
        for yes in [
            "GITHUB_TOKEN",
            "api_key",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "DB_PASSWORD",
            "password",
            "AUTH",
            "secret_MESSAGE",
            "NPM_AUTH_TOKEN",
            "GPG_KEY",
            "apikey",
            "GOOGLE_CREDENTIALS",
        ] {
            assert!(looks_like_secret(yes), "{yes}");
        }
        for no in [
            "KEYBOARD",
            "GPG_KEYS",
            "AUTHORS",
            "API-KEY",
            "SSH_PUBLIC_KEY",
            "PASSWORD_FILE",
            "KEY_VERSION",
            "KEYRING_VERSION",
            "PWD",
            "MONKEY",
            "TOKENIZER_PATH",
            "alternate_password_public",
        ] {
            assert!(!looks_like_secret(no), "{no}");
        }
    }
}
