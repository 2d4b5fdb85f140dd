//! `.dockerignore` files as BuildKit reads and applies them.
//!
//! Three steps, each following the Go code that does it for `docker build`:
//!
//! 1. [`read_patterns`]: the ignore-file reader (moby/patternmatcher `ignorefile.ReadAll`):
//!    a byte-order mark is dropped, a line whose first byte is `#` is a comment, the rest is
//!    trimmed, blank lines are skipped, a leading `!` marks an exception, the path is cleaned
//!    like Go's `filepath.Clean` and a leading `/` is dropped.
//! 2. [`Matcher::new`]: patternmatcher's `New` and `Pattern.compile`: each pattern is checked
//!    with Go's `filepath.Match` syntax (a bad pattern fails the build) and compiled to one of
//!    four match kinds (exact text, prefix for a trailing `**`, suffix for a leading `**`, or a
//!    regular expression with `*` = any run of non-`/`, `?` = one non-`/`, `**` = any number
//!    of folders, `[...]` classes).
//! 3. [`Matcher::excluded`]: what the build sends. The context is walked folder by folder
//!    (tonistiigi/fsutil's filter) and each path is matched with the results of its parent
//!    folder (`MatchesUsingParentResults`): a pattern that matched a folder matches everything
//!    inside it, and the last pattern that matches decides, so a later `!` exception brings a
//!    path back. A folder that is excluded is not even entered when no exception could
//!    reach inside it. [`Matcher::matches_or_parent_matches`] is the simpler test BuildKit's
//!    own `CopyIgnoredFile` check and the filter's `Open` use.
//!
//! Not modelled: Windows separators, and a `*` or `?` written inside `[...]` (the Go code
//! turns them into regular-expression pieces there; here they are plain class members).

use std::fmt;

/// A pattern Go's `filepath.Match` rejects (the build fails with "syntax error in pattern"),
/// a lone `!`, or an escape the Go regular expression would read as a character class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    pub pattern: String,
    pub reason: &'static str,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad pattern `{}`: {}", self.pattern, self.reason)
    }
}

impl std::error::Error for PatternError {}

/// The patterns of an ignore file, in order, as `ignorefile.ReadAll` returns them (`!` kept in
/// front of exceptions).
pub fn read_patterns(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    // Go's line scanner splits on `\n` and drops one `\r` before it.
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // The comment test comes before trimming: ` # x` is a pattern, not a comment.
        if line.starts_with('#') {
            continue;
        }
        let mut p = line.trim();
        if p.is_empty() {
            continue;
        }
        let invert = p.starts_with('!');
        if invert {
            p = p[1..].trim();
        }
        let mut pattern = String::new();
        if !p.is_empty() {
            pattern = clean(p);
            // `/a` and `a` are the same pattern (the context root), but `/` itself stays.
            if pattern.len() > 1 && pattern.starts_with('/') {
                pattern.remove(0);
            }
        }
        if invert {
            pattern.insert(0, '!');
        }
        out.push(pattern);
    }
    out
}

/// Go's `path/filepath.Clean` for `/`-separated paths: repeated slashes and `.` elements go,
/// `x/..` pairs cancel, `..` at the root of an absolute path goes, a trailing slash goes, and
/// an empty result is `.`.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The path equals the pattern.
    Exact,
    /// A trailing `**` after plain text: the path starts with the text before it.
    Prefix,
    /// A leading `**` (the rest plain): the path ends with what follows it, or is it without
    /// its leading `/`.
    Suffix,
    /// The general case, matched with [`Token`]s, anchored at both ends.
    Regex,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Lit(char),
    /// `?`: one character other than `/`.
    One,
    /// `*`: any run of characters other than `/`.
    Star,
    /// `**` followed by more pattern: nothing, or anything that ends with `/`.
    Dirs,
    /// `**` at the end of a pattern that is already a regular expression: anything.
    Any,
    /// `^` outside a class, which the regular expression reads as "start of text".
    Start,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// One compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The cleaned pattern, without the `!`.
    pub text: String,
    /// An exception (`!pattern`): a path it matches is sent again.
    pub exception: bool,
    kind: Kind,
    tokens: Vec<Token>,
    /// The longest run of literal characters of a regular-expression pattern: a path without
    /// it cannot match (nor can its folders, which are parts of it), found without running
    /// the matcher.
    needle: String,
}

impl Pattern {
    fn compile(text: &str, exception: bool) -> Result<Pattern, PatternError> {
        let err = |reason| PatternError {
            pattern: text.to_string(),
            reason,
        };
        check_syntax(text).map_err(err)?;
        let chars: Vec<char> = text.chars().collect();
        let mut kind = Kind::Exact;
        let mut tokens = Vec::new();
        let mut i = 0;
        let mut first = true;
        while i < chars.len() {
            let ch = chars[i];
            i += 1;
            match ch {
                '*' if chars.get(i) == Some(&'*') => {
                    i += 1;
                    // `**/` is read as `**`.
                    if chars.get(i) == Some(&'/') {
                        i += 1;
                    }
                    if i == chars.len() {
                        if kind == Kind::Exact {
                            kind = Kind::Prefix;
                        } else {
                            tokens.push(Token::Any);
                            kind = Kind::Regex;
                        }
                    } else {
                        tokens.push(Token::Dirs);
                        kind = Kind::Regex;
                    }
                    if first {
                        kind = Kind::Suffix;
                    }
                }
                '*' => {
                    tokens.push(Token::Star);
                    kind = Kind::Regex;
                }
                '?' => {
                    tokens.push(Token::One);
                    kind = Kind::Regex;
                }
                '\\' => {
                    // The syntax check guarantees a character follows.
                    let next = chars[i];
                    i += 1;
                    if next.is_ascii_alphanumeric() {
                        // `\d`, `\w`, `\b` are classes or assertions to Go's regexp, and other
                        // letters are errors: too odd to model.
                        return Err(err("an escaped letter or digit"));
                    }
                    tokens.push(Token::Lit(next));
                    kind = Kind::Regex;
                }
                '[' => {
                    let (negated, ranges, used) = parse_class(&chars[i..]);
                    tokens.push(Token::Class { negated, ranges });
                    i += used;
                    kind = Kind::Regex;
                }
                ']' => {
                    tokens.push(Token::Lit(']'));
                    kind = Kind::Regex;
                }
                '^' => tokens.push(Token::Start),
                c => tokens.push(Token::Lit(c)),
            }
            first = false;
        }
        let mut needle = String::new();
        let mut run = String::new();
        for t in tokens.iter().chain(std::iter::once(&Token::Any)) {
            match t {
                Token::Lit(c) => run.push(*c),
                _ => {
                    if run.len() > needle.len() {
                        needle = std::mem::take(&mut run);
                    }
                    run.clear();
                }
            }
        }
        Ok(Pattern {
            text: text.to_string(),
            exception,
            kind,
            tokens,
            needle,
        })
    }

    /// Whether the pattern matches this path (itself, not its folders).
    pub fn matches(&self, path: &str) -> bool {
        match self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            Kind::Suffix => {
                let suffix = &self.text[2..];
                path.ends_with(suffix) || suffix.strip_prefix('/') == Some(path)
            }
            Kind::Regex => {
                if !path.contains(self.needle.as_str()) {
                    return false;
                }
                let s: Vec<char> = path.chars().collect();
                // One flag per (token, position): a state that failed once fails again.
                let mut memo = Failed {
                    width: s.len() + 1,
                    seen: vec![false; (self.tokens.len() + 1) * (s.len() + 1)],
                };
                match_tokens(&self.tokens, &s, 0, 0, &mut memo)
            }
        }
    }

    /// Whether the pattern matches the path or one of the folders it is in.
    pub fn matches_or_parent(&self, path: &str) -> bool {
        if self.kind == Kind::Regex && !path.contains(self.needle.as_str()) {
            return false;
        }
        self.matches(path)
            || path
                .match_indices('/')
                .any(|(i, _)| self.matches(&path[..i]))
    }

    /// The pattern without a trailing `/**` or `/*` (fsutil's `patternWithoutTrailingGlob`).
    fn without_trailing_glob(&self) -> &str {
        let t = self.text.strip_suffix("/**").unwrap_or(&self.text);
        t.strip_suffix("/*").unwrap_or(t)
    }
}

/// The failed states of a match, a flag per (token index, position).
struct Failed {
    width: usize,
    seen: Vec<bool>,
}

impl Failed {
    fn contains(&self, &(ti, si): &(usize, usize)) -> bool {
        self.seen[ti * self.width + si]
    }
    fn insert(&mut self, (ti, si): (usize, usize)) {
        self.seen[ti * self.width + si] = true;
    }
}

/// Backtracking match of tokens `t[ti..]` against `s[si..]`, remembering failed states.
fn match_tokens(t: &[Token], s: &[char], ti: usize, si: usize, failed: &mut Failed) -> bool {
    if failed.contains(&(ti, si)) {
        return false;
    }
    let ok = match t.get(ti) {
        None => si == s.len(),
        Some(Token::Lit(c)) => s.get(si) == Some(c) && match_tokens(t, s, ti + 1, si + 1, failed),
        Some(Token::One) => {
            s.get(si).is_some_and(|c| *c != '/') && match_tokens(t, s, ti + 1, si + 1, failed)
        }
        Some(Token::Start) => si == 0 && match_tokens(t, s, ti + 1, si, failed),
        Some(Token::Class { negated, ranges }) => {
            s.get(si)
                .is_some_and(|c| ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated)
                && match_tokens(t, s, ti + 1, si + 1, failed)
        }
        Some(Token::Star) => {
            let mut j = si;
            loop {
                if match_tokens(t, s, ti + 1, j, failed) {
                    break true;
                }
                if j == s.len() || s[j] == '/' {
                    break false;
                }
                j += 1;
            }
        }
        Some(Token::Any) => (si..=s.len()).any(|j| match_tokens(t, s, ti + 1, j, failed)),
        Some(Token::Dirs) => {
            match_tokens(t, s, ti + 1, si, failed)
                || (si..s.len())
                    .filter(|&j| s[j] == '/')
                    .any(|j| match_tokens(t, s, ti + 1, j + 1, failed))
        }
    };
    if !ok {
        failed.insert((ti, si));
    }
    ok
}

/// A class after its `[`, known to be well formed: negation, ranges, and how many characters
/// it used (the closing `]` included).
fn parse_class(c: &[char]) -> (bool, Vec<(char, char)>, usize) {
    let mut i = 0;
    let negated = c.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let esc = |i: &mut usize| {
        if c[*i] == '\\' {
            *i += 1;
        }
        let r = c[*i];
        *i += 1;
        r
    };
    loop {
        if c[i] == ']' && !ranges.is_empty() {
            i += 1;
            break;
        }
        let lo = esc(&mut i);
        let mut hi = lo;
        if c[i] == '-' {
            i += 1;
            hi = esc(&mut i);
        }
        ranges.push((lo, hi));
    }
    (negated, ranges, i)
}

/// Go's `filepath.Match` syntax, which `New` checks before compiling: a `\` escapes the next
/// character (one must follow), and a class is `[`, an optional `^`, one or more `c` or `c-c`
/// (where `c` is not `-` or `]` unless escaped) and `]`. A `]` outside a class is plain.
fn check_syntax(p: &str) -> Result<(), &'static str> {
    let c: Vec<char> = p.chars().collect();
    let mut i = 0;
    let esc = |i: &mut usize| -> Result<(), &'static str> {
        match c.get(*i) {
            None | Some('-') | Some(']') => return Err("a bad character class"),
            Some('\\') => {
                *i += 1;
                if c.get(*i).is_none() {
                    return Err("a bad character class");
                }
            }
            _ => {}
        }
        *i += 1;
        // Something must follow a class member.
        if *i >= c.len() {
            return Err("an unterminated character class");
        }
        Ok(())
    };
    while i < c.len() {
        match c[i] {
            '\\' => {
                if i + 1 >= c.len() {
                    return Err("a trailing `\\`");
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if c.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut n = 0;
                loop {
                    if c.get(i) == Some(&']') && n > 0 {
                        i += 1;
                        break;
                    }
                    esc(&mut i)?;
                    if c[i] == '-' {
                        i += 1;
                        esc(&mut i)?;
                    }
                    n += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Whether a file name matches a one-part wildcard as `COPY` sources use them (Go's
/// `filepath.Match`: `*`, `?`, `[...]`, `\` escapes). `None` for a bad pattern.
pub fn glob_match(glob: &str, name: &str) -> Option<bool> {
    if glob.contains('/') {
        return None;
    }
    // On one path part, `**` means the same as `*`.
    let glob = glob.replace("**", "*");
    let p = Pattern::compile(&glob, false).ok()?;
    Some(p.matches(name))
}

/// The compiled patterns of one ignore file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    pub patterns: Vec<Pattern>,
}

/// Why a path is left out of the context: the pattern that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exclusion<'a> {
    pub pattern: &'a Pattern,
}

impl Matcher {
    /// Compiles patterns as [`read_patterns`] returns them (`New`: each is trimmed and cleaned
    /// again, blank ones skipped, a leading `!` makes an exception).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Matcher, PatternError> {
        let mut out = Vec::new();
        for p in patterns {
            let p = p.as_ref().trim();
            if p.is_empty() {
                continue;
            }
            let p = clean(p);
            let (exception, text) = match p.strip_prefix('!') {
                Some("") => {
                    return Err(PatternError {
                        pattern: p.clone(),
                        reason: "a lone `!`",
                    });
                }
                Some(rest) => (true, rest),
                None => (false, p.as_str()),
            };
            out.push(Pattern::compile(text, exception)?);
        }
        Ok(Matcher { patterns: out })
    }

    /// Reads and compiles an ignore file's text.
    pub fn parse(text: &str) -> Result<Matcher, PatternError> {
        Matcher::new(&read_patterns(text))
    }

    /// Whether some pattern is an exception (`!`).
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|p| p.exception)
    }

    /// patternmatcher's `MatchesOrParentMatches`: going through the patterns in order, one
    /// that matches the path or a folder it is in excludes it (or, for `!`, brings it back).
    /// The context root (`""` or `.`) is never excluded.
    pub fn matches_or_parent_matches(&self, path: &str) -> bool {
        let path = clean(path);
        if path == "." {
            return false;
        }
        let mut matched = false;
        for p in &self.patterns {
            // Only a pattern that could change the verdict is tried.
            if p.exception != matched {
                continue;
            }
            if p.matches_or_parent(&path) {
                matched = !p.exception;
            }
        }
        matched
    }

    /// Whether the build leaves this context path out (a relative `/`-separated path; the
    /// root is never left out), as the context walk decides it: each folder on the way is
    /// matched first, with its results carried to what is inside (`MatchesUsingParentResults`),
    /// and an excluded folder that no exception can reach into is skipped whole.
    pub fn excluded(&self, path: &str) -> Option<Exclusion<'_>> {
        let path = clean(path);
        if path == "." || path.starts_with("..") || path.starts_with('/') {
            return None;
        }
        let parts: Vec<&str> = path.split('/').collect();
        let mut parent: Option<Vec<bool>> = None;
        for n in 1..=parts.len() {
            let here = parts[..n].join("/");
            let (decider, info) = self.using_parent_results(&here, parent.as_deref());
            let last = n == parts.len();
            if let Some(d) = decider {
                // A folder on the way that nothing can bring back is not entered.
                if !last && !self.could_reenter(&here) {
                    return Some(Exclusion {
                        pattern: &self.patterns[d],
                    });
                }
            }
            if last {
                return decider.map(|d| Exclusion {
                    pattern: &self.patterns[d],
                });
            }
            parent = Some(info);
        }
        None
    }

    /// fsutil's test before skipping an excluded folder: with no exception, or only exceptions
    /// whose fixed text names no path inside the folder (and none with wildcards in front of
    /// their last part), nothing inside can come back.
    pub fn could_reenter(&self, dir: &str) -> bool {
        const GLOB: &[char] = &['*', '[', ']', '?', '^', '\\'];
        let only_prefix = !self
            .patterns
            .iter()
            .any(|p| p.exception && p.without_trailing_glob().contains(GLOB));
        if !only_prefix {
            return true;
        }
        let dir_slash = format!("{dir}/");
        self.patterns
            .iter()
            .filter(|p| p.exception)
            .any(|p| format!("{}/", p.without_trailing_glob()).starts_with(&dir_slash))
    }

    /// One step of the walk: the index of the pattern that excludes `path` (None: it is
    /// sent), and which patterns matched it, for the paths inside it.
    fn using_parent_results(
        &self,
        path: &str,
        parent: Option<&[bool]>,
    ) -> (Option<usize>, Vec<bool>) {
        let mut matched: Option<usize> = None;
        let mut info = vec![false; self.patterns.len()];
        for (i, p) in self.patterns.iter().enumerate() {
            let mut m = parent.is_some_and(|pm| pm[i]);
            if !m {
                // Skipped patterns record "no match" for the paths inside.
                if p.exception != matched.is_some() {
                    continue;
                }
                m = if parent.is_none() {
                    p.matches_or_parent(path)
                } else {
                    p.matches(path)
                };
            }
            info[i] = m;
            if m {
                matched = (!p.exception).then_some(i);
            }
        }
        (matched, info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(patterns: &[&str]) -> Matcher {
        Matcher::new(patterns).unwrap()
    }

    /// Single-pattern cases, as patternmatcher's own table has them (`TestMatches`).
    #[test]
    fn single_patterns() {
        let cases: &[(&str, &str, bool)] = &[
            // `**` alone (also written `**/`) matches everything.
            ("**", "file", true),
            ("**/", "dir/file", true),
            ("**/**", "dir/file", true),
            ("dir/**", "dir/file", true),
            ("dir/**", "dir/dir2/file", true),
            // A trailing `**` needs something after the folder: the folder itself is not it.
            ("abc/**", "abc", false),
            ("abc/**", "abc/def/ghi", true),
            ("**/dir", "dir", true),
            ("**/dir2/*", "dir/dir2/file", true),
            ("**/dir2/**", "dir/dir2/dir3/file", true),
            // A leading `**` with plain text after it is a suffix test, so `**file` also
            // matches `xfile` (the Go code only looks at the end of the path).
            ("**file", "dir/file", true),
            ("**file", "xfile", true),
            ("**/file*.txt", "dir/dir/file.txt", true),
            ("**/**/*.txt2", "dir/dir/file.txt", false),
            ("**/*.txt", "file.txt", true),
            ("a**/*.txt", "a/dir/dir/file.txt", true),
            ("a/*.txt", "a/dir/file.txt", false),
            ("a/*.txt", "a/file.txt", true),
            ("a/*.txt**", "a/file.txt", true),
            ("a[b-d]e", "ace", true),
            ("a[b-d]e", "aae", false),
            ("a[^b-d]e", "aze", true),
            (".*", ".foo", true),
            (".*", "foo", false),
            // Regular-expression characters are plain text.
            ("abc.def", "abcZdef", false),
            ("abc?def", "abcZdef", true),
            ("abc?def", "abcdef", false),
            ("a(b)c/def", "a(b)c/def", true),
            ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
            (
                "dist/*.whl",
                "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
                true,
            ),
            ("**/foo/bar", "foo/bar", true),
            ("**/foo/bar", "dir/dir2/foo/bar", true),
            ("**/.foo", ".foo", true),
            ("**/.foo", "bar.foo", false),
            ("a\\*b", "a*b", true),
            ("a\\*b", "axb", false),
            // `*` and `?` never cross a `/`.
            ("*", "a/b", false),
            ("a?b", "a/b", false),
            // `**` in the middle stands for whole folders: `a**b` is `a`, folders, `b`.
            ("a**b", "ab", true),
            ("a**b", "ax/b", true),
            ("a**b", "axb", false),
        ];
        for (pattern, path, want) in cases {
            // Built as `New` builds it: cleaned first (`**/` is `**`).
            let p = &m(&[pattern]).patterns[0];
            assert_eq!(p.matches(path), *want, "{pattern} vs {path}");
        }
    }

    /// `ignorefile.ReadAll`: BOM, comments only in column one, trimming, cleaning, leading
    /// slash, exceptions.
    #[test]
    fn reading() {
        let text = "\u{feff}# comment\r\n  node_modules/  \r\n\n #not a comment\n/dist\n\
                    ! /keep//me/../it \n./a/./b/\n/\n!\n";
        assert_eq!(
            read_patterns(text),
            [
                "node_modules",
                "#not a comment",
                "dist",
                "!keep/it",
                "a/b",
                "/",
                "!"
            ]
        );
        // A lone `!` is an error when the matcher is built.
        assert!(Matcher::parse(text).is_err());
    }

    #[test]
    fn go_clean() {
        assert_eq!(clean("a//b/./c/.."), "a/b");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean("../x/.."), "..");
        assert_eq!(clean("./"), ".");
        assert_eq!(clean(""), ".");
        assert_eq!(clean("/"), "/");
    }

    /// `filepath.Match` syntax errors fail the build; they are errors here too.
    #[test]
    fn syntax_errors() {
        for bad in [
            "[", "a[", "[]", "[]a]", "[-a]", "[a-]", "a\\", "[a", "[^]", "x[a-",
        ] {
            assert!(Matcher::new(&[bad]).is_err(), "{bad}");
        }
        for good in ["a]", "[\\]]", "[a-c]x", "[^a]", "\\[x", "[*]"] {
            assert!(Matcher::new(&[good]).is_ok(), "{good}");
        }
        assert!(Matcher::new(&["\\d"]).is_err());
    }

    /// patternmatcher's multi-pattern cases: the last pattern that matches decides.
    #[test]
    fn exceptions_and_order() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["*.go"], "fileutils.go", true),
            (&["!fileutils.go", "*.go"], "fileutils.go", true),
            (&["*.go", "!fileutils.go"], "fileutils.go", false),
            (&["docs", "!docs/README.md"], "docs/README.md", false),
            (&["docs/", "!docs/README.md"], "docs/README.md", false),
            (&["docs/*", "!docs/README.md"], "docs/README.md", false),
            (&["**", "!util/docker/web"], "util/docker/web/foo", false),
            (
                &["**", "!util/docker/web", "util/docker/web/foo"],
                "util/docker/web/foo",
                true,
            ),
            (&["**", "!dist/*.whl"], "dist/a-1.whl", false),
            // A folder pattern excludes everything below it.
            (&["node_modules"], "node_modules/x/y.js", true),
            (&["node_modules"], "src/node_modules/x", false),
            (&["**/node_modules"], "src/node_modules/x", true),
        ];
        for (patterns, path, want) in cases {
            let matcher = m(patterns);
            assert_eq!(
                matcher.matches_or_parent_matches(path),
                *want,
                "{patterns:?} vs {path}"
            );
            assert_eq!(
                matcher.excluded(path).is_some(),
                *want,
                "walk: {patterns:?} vs {path}"
            );
        }
        assert!(!m(&["*"]).matches_or_parent_matches("."));
        assert!(m(&["*"]).excluded("").is_none());
    }

    /// The walk skips an excluded folder when no exception names a path inside it: then an
    /// exception for a deeper path written with a wildcard folder cannot bring it back...
    #[test]
    fn skipped_folders() {
        let matcher = m(&["docs", "!docs/keep"]);
        assert!(matcher.could_reenter("docs"));
        assert!(matcher.excluded("docs/keep/a.md").is_none());
        assert!(matcher.excluded("docs/other.md").is_some());
        // `!*/keep` has a wildcard: fsutil then walks every excluded folder.
        let matcher = m(&["docs", "!*/keep"]);
        assert!(matcher.could_reenter("docs"));
        assert!(matcher.excluded("docs/keep").is_none());
        // An exception elsewhere cannot reach into `build`.
        let matcher = m(&["build", "!src/keep"]);
        assert!(!matcher.could_reenter("build"));
        assert!(matcher.excluded("build/keep").is_some());
        // The deciding pattern is reported.
        let matcher = m(&["*.log", "logs", "!important.log"]);
        assert_eq!(matcher.excluded("logs/a.txt").unwrap().pattern.text, "logs");
        assert_eq!(matcher.excluded("x.log").unwrap().pattern.text, "*.log");
        assert!(matcher.excluded("important.log").is_none());
    }

    /// Exact, prefix and suffix kinds as the Go compile step picks them.
    #[test]
    fn kinds() {
        let kind = |p: &str| Pattern::compile(p, false).unwrap().kind;
        assert_eq!(kind("a/b"), Kind::Exact);
        assert_eq!(kind("dir/**"), Kind::Prefix);
        assert_eq!(kind("dir**"), Kind::Prefix);
        assert_eq!(kind("**"), Kind::Suffix);
        assert_eq!(kind("**/foo"), Kind::Suffix);
        assert_eq!(kind("**/*.txt"), Kind::Regex);
        assert_eq!(kind("a*/**"), Kind::Regex);
        // A prefix pattern is plain text before `**`: `dir**` matches `directory`.
        assert!(
            Pattern::compile("dir**", false)
                .unwrap()
                .matches("directory")
        );
        // `^` outside a class is an anchor in the Go regular expression: never mid-path.
        assert!(!Pattern::compile("a^b*", false).unwrap().matches("a^bc"));
        assert!(Pattern::compile("a^b", false).unwrap().matches("a^b"));
    }
}
