use super::*;

fn ok(text: &str) -> Document {
    let doc = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(doc.print(), text, "round trip");
    doc
}

fn ranges(doc: &Document) -> Vec<(usize, usize)> {
    doc.instructions()
        .map(|i| (i.start_line, i.end_line))
        .collect()
}

#[test]
fn continuation_comments_and_blank_lines() {
    let doc = ok("FROM a\nRUN echo a \\\n  # c \\\n\n  && echo b\nCMD x\n");
    assert_eq!(ranges(&doc), vec![(1, 1), (2, 5), (6, 6)]);
    let run = doc.instructions().nth(1).unwrap();
    assert_eq!(run.logical, "RUN echo a   && echo b");
    assert_eq!(run.inner_comments.len(), 1);
    assert_eq!(run.empty_continuation_lines.len(), 1);
}

#[test]
fn doubled_escape_is_not_a_continuation() {
    let doc = ok("FROM a\nCOPY a C:\\\\\nENV x=1\n");
    assert_eq!(ranges(&doc), vec![(1, 1), (2, 2), (3, 3)]);
}

#[test]
fn continuation_at_eof_and_no_final_newline() {
    let doc = ok("FROM a\nRUN echo \\");
    assert_eq!(ranges(&doc), vec![(1, 1), (2, 2)]);
}

#[test]
fn crlf_and_bom() {
    let doc = ok("\u{feff}FROM a\r\nRUN a \\\r\n b\r\n");
    assert!(matches!(doc.items[0], Item::Bom(_)));
    assert_eq!(ranges(&doc), vec![(1, 1), (2, 3)]);
    assert_eq!(doc.instructions().nth(1).unwrap().logical, "RUN a  b");
}

#[test]
fn escape_directive() {
    let doc = ok("# escape=`\nFROM a\nRUN a `\n b\nCOPY x C:\\\n");
    assert_eq!(doc.escape, '`');
    assert_eq!(ranges(&doc), vec![(2, 2), (3, 4), (5, 5)]);
    let e = parse("# escape=x\nFROM a\n").unwrap_err();
    assert!(e.message.contains("invalid escape token"), "{e}");
    let e = parse("# syntax=a\n# syntax=b\nFROM a\n").unwrap_err();
    assert!(e.message.contains("only one syntax"), "{e}");
}

#[test]
fn directive_only_at_top() {
    let doc = ok("FROM a\n# escape=`\nRUN a `\nRUN b\n");
    assert_eq!(doc.escape, '\\');
    assert_eq!(ranges(&doc), vec![(1, 1), (3, 3), (4, 4)]);
}

#[test]
fn heredocs() {
    let doc = ok("FROM a\nRUN <<A cat && <<-'B' cat\nx\nA\n\ty\n\tB\nCOPY <<EOF /x\nEOF\n");
    let ins: Vec<_> = doc.instructions().collect();
    assert_eq!(ranges(&doc), vec![(1, 1), (2, 6), (7, 8)]);
    let h = &ins[1].heredocs;
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].name, "A");
    assert_eq!(doc.slice(h[0].body), "x\n");
    assert!(h[1].chomp && !h[1].expand);
    assert_eq!(doc.slice(h[1].body), "\ty\n");
    assert!(ins[2].heredocs[0].body.is_empty());
    assert!(parse("FROM a\nRUN cat <<EOF\nx\n").is_err());
    // `<< EOF` with blanks is a heredoc (BuildKit since 2024); arithmetic shifts are not.
    assert_eq!(
        ranges(&ok("FROM a\nRUN cat << EOF\nx\nEOF\n")),
        vec![(1, 1), (2, 4)]
    );
    assert_eq!(
        ranges(&ok("FROM a\nRUN echo $((1<<2))\n")),
        vec![(1, 1), (2, 2)]
    );
    // Not in JSON form.
    assert_eq!(
        ranges(&ok("FROM a\nRUN [\"<<EOF\"]\n")),
        vec![(1, 1), (2, 2)]
    );
    // ONBUILD.
    assert_eq!(
        ranges(&ok("FROM a\nONBUILD RUN <<E\nE\n")),
        vec![(1, 1), (2, 3)]
    );
}

#[test]
fn json_and_fallback() {
    let doc = ok("FROM a\nCMD [\"a\", \"b \\u00e9\"]\nCMD ['x']\nCMD []\n");
    let ins: Vec<_> = doc.instructions().collect();
    match &ins[1].node.args {
        Args::Json(v) => {
            assert_eq!(v[1].value, "b é");
            assert_eq!(v[0].span.slice(&ins[1].logical), "\"a\"");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(ins[2].node.args, Args::Text(_)));
    assert!(matches!(&ins[3].node.args, Args::Json(v) if v.is_empty()));
    assert!(parse("FROM a\nCMD [1]\n").is_err());
    assert!(matches!(
        ok("FROM a\nCMD [1\n")
            .instructions()
            .nth(1)
            .unwrap()
            .node
            .args,
        Args::Text(_)
    ));
}

#[test]
fn flags_pairs_words() {
    let doc = ok(
        "FROM --platform=$X a AS b\nCOPY --link --chown=\"a b\" x y\nENV k v w\nENV a=1 b=\"2 3\"\nARG x y=1\n",
    );
    let ins: Vec<_> = doc.instructions().collect();
    assert_eq!(ins[0].node.flags[0].name(), "platform");
    assert_eq!(ins[1].node.flags[1].text, "--chown=a b");
    assert_eq!(ins[1].node.flags[0].value(), None);
    match &ins[2].node.args {
        Args::Pairs(p) => {
            assert!(p[0].legacy);
            assert_eq!(p[0].value.slice(&ins[2].logical), "v w");
        }
        other => panic!("{other:?}"),
    }
    match &ins[3].node.args {
        Args::Pairs(p) => assert_eq!(p[1].value.slice(&ins[3].logical), "\"2 3\""),
        other => panic!("{other:?}"),
    }
    assert!(parse("FROM a\nENV x\n").is_err());
    assert!(parse("FROM a\nENV a=1 b\n").is_err());
}

#[test]
fn errors() {
    assert_eq!(parse("").unwrap_err().message, "file with no instructions");
    assert_eq!(
        parse("# x\n\n").unwrap_err().message,
        "file with no instructions"
    );
    let long = format!("FROM a\nRUN {}\n", "x".repeat(70_000));
    let e = parse(&long).unwrap_err();
    assert_eq!((e.line, e.message.contains("max allowed size")), (2, true));
    let ok_len = format!("FROM {}\n", "x".repeat(MAX_LINE_LEN - 5));
    assert!(parse(&ok_len).is_ok());
}

#[test]
fn source_mapping() {
    let text = "FROM a\nRUN apt-get \\\n  # c\n    install x\n";
    let doc = ok(text);
    let run = doc.instructions().nth(1).unwrap();
    let at = run.logical.find("install").unwrap();
    let span = run.to_source(Span::new(at, at + 7));
    assert_eq!(span.slice(text), "install");
    let whole = run.to_source(Span::new(4, run.logical.len()));
    assert_eq!(whole.slice(text), "apt-get \\\n  # c\n    install x");
}

#[test]
fn bom_is_not_a_column() {
    let doc = ok("\u{feff}FROM a\nRUN b\n");
    assert_eq!(doc.line_col(3), (1, 1));
    assert_eq!(doc.line_col(8), (1, 6));
    assert_eq!(doc.line_col(10), (2, 1));
}

#[test]
fn heredoc_after_substring_expansion() {
    // Regression: `${v:0:7}` made the line's lexing fail, so the heredoc went unseen.
    let doc = ok("FROM a\nRUN v=${SHA:0:7} && cat <<EOF > /x\nrun x\nEOF\n");
    assert_eq!(ranges(&doc), vec![(1, 1), (2, 4)]);
    // A delimiter BuildKit cannot lex is an error, as in BuildKit.
    assert!(parse("FROM a\nRUN echo ${a:-\"x <<y\"}\n").is_err());
}

#[test]
fn non_ascii_spaces_and_bytes_never_split_a_character() {
    // Regression: these panicked (a byte 0x85/0xA0 inside a character taken for a space).
    for text in [
        "FROM a\nHEALTHCHECK CMD\u{a0}curl -f http://x/\n",
        "FROM a\nHEALTHCHECK \u{e0}\n",
        "FROM a\nCOPY --chown=\u{b140} a b\n",
        "FROM a\nRUN --a=\u{800} echo\n",
    ] {
        ok(text);
    }
}

#[test]
fn directive_value_of_blanks() {
    // BuildKit's `(.+?)` takes a blank when nothing else is there.
    assert!(
        parse("# escape= \nFROM a\n")
            .unwrap_err()
            .message
            .contains("invalid escape token ' '")
    );
    assert!(parse("# syntax= \n# syntax=x\nFROM a\n").is_err());
    assert_eq!(
        ok("# syntax=  x  \nFROM a\n")
            .directives()
            .next()
            .unwrap()
            .value,
        "x"
    );
}
