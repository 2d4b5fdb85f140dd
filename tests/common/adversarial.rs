//! Adversarial Dockerfiles, generated: shared by `tests/robustness.rs` and `benches/parse.rs`
//! (which times them at two sizes, to show the cost grows linearly).
#![allow(dead_code)]

/// One RUN continued over `n` lines (an apt-get install of `n` packages).
pub fn continuation_lines(n: usize) -> String {
    let mut s = String::from("FROM debian:12\nRUN apt-get update && apt-get install -y \\\n");
    for i in 0..n {
        s.push_str(&format!("    pkg{i} \\\n"));
    }
    s.push_str("    last\n");
    s
}

/// `n` RUNs with a heredoc each (and a pipe in each body, for the shell rules).
pub fn heredocs(n: usize) -> String {
    let mut s = String::from("FROM debian:12\n");
    for i in 0..n {
        s.push_str(&format!(
            "RUN <<EOF{i}\napt-get install curl{i} | tee /log\nEOF{i}\n"
        ));
    }
    s
}

/// `n` stages, each built on the one before (the longest chain of stages there can be), each
/// with an apt RUN and a pipe.
pub fn stages(n: usize) -> String {
    let mut s = String::from("FROM debian:12 AS s0\n");
    for i in 1..n {
        s.push_str(&format!(
            "FROM s{} AS s{i}\nRUN apt-get update && apt-get install -y curl{i} | tee /log\n",
            i - 1
        ));
    }
    s.push_str("USER root\nCMD sh\n");
    s
}

/// `n` RUNs in one stage (apt, a pipe, sudo, a download piped to a shell).
pub fn runs(n: usize) -> String {
    let mut s = String::from("FROM ubuntu:22.04\n");
    for i in 0..n {
        s.push_str(&format!(
            "RUN apt-get update && apt-get install curl{i} && curl -s https://x/{i} | sh && sudo rm -f /x\n"
        ));
    }
    s
}

/// `n` RUNs in one stage that ask for the state before them: a `SHELL` with `-e` at the top,
/// then for each an `ENV`, a `WORKDIR`, and a RUN that downloads an archive it unpacks and
/// keeps, installs with apt without an update, and installs with pip and npm (DF202, DF208,
/// DF209, DF210, DF501 each look back at the instructions or RUNs before it).
pub fn stateful_runs(n: usize) -> String {
    let mut s =
        String::from("FROM debian:12\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\n");
    for i in 0..n {
        s.push_str(&format!(
            "ENV V{i}=x\nWORKDIR /w{i}\nRUN curl -fsSLo /tmp/a{i}.tgz https://x/{i}.tgz && tar -xzf /tmp/a{i}.tgz && apt-get install -y p{i} && pip install q{i} && npm install r{i}\n"
        ));
    }
    s
}

/// A RUN line of about `n` bytes (BuildKit rejects lines over 65,535 bytes).
pub fn long_line(n: usize) -> String {
    format!("FROM debian:12\nRUN echo {}\n", "a".repeat(n))
}

/// Command substitutions nested `depth` deep, each in double quotes.
pub fn nested_substitutions(depth: usize) -> String {
    format!(
        "FROM debian:12\nRUN echo \"{}x{}\"\n",
        "$(echo \"".repeat(depth),
        "\")".repeat(depth)
    )
}

/// Subshells and brace groups nested `depth` deep.
pub fn nested_subshells(depth: usize) -> String {
    format!(
        "FROM debian:12\nRUN {}apt-get install curl{}\nRUN {}true{}\n",
        "( ".repeat(depth),
        " )".repeat(depth),
        "{ ".repeat(depth),
        "; }".repeat(depth)
    )
}

/// Quotes of every kind, `n` times in a row, some unbalanced at the end.
pub fn quoting(n: usize) -> String {
    format!(
        "FROM debian:12\nRUN echo {}\nRUN echo \"{}\nRUN echo '{}\n",
        "\"a'b\"'c\"d'\\\"$'\\x41'`e`".repeat(n),
        "\\\"'".repeat(n),
        "\"\\".repeat(n)
    )
}
