//! A failure stays in its file: each file's work runs under [`contain`], and a panic anywhere
//! in it (a rule, the fix loop, the formatter) becomes an [`InternalError`] for that file only.
//! The caller reports it, leaves the file untouched and goes on with the other files.
//!
//! Rules run under [`run_rule`], which tags a panic with the rule's code, so that the error
//! names the rule ("internal error in DF211"). [`install_hook`] replaces the default panic
//! message on stderr (printed while the panic unwinds, before anyone could catch it) with a
//! note of the message and location, which [`contain`] puts into the error.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

/// A panic inside dockerfix while it worked on one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InternalError {
    /// The rule whose check panicked, if it was a rule.
    pub rule: Option<&'static str>,
    /// The panic message, with its location in dockerfix's source when known.
    pub message: String,
}

impl std::fmt::Display for InternalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.rule {
            Some(rule) => write!(f, "internal error in {rule}")?,
            None => f.write_str("internal error")?,
        }
        write!(
            f,
            " ({}): this is a bug in dockerfix, please report it with the file; the file was \
             left unchanged",
            self.message
        )
    }
}

impl std::error::Error for InternalError {}

/// The payload a rule's panic is re-raised with: the rule's code and the original message.
struct RulePanic {
    rule: &'static str,
    message: String,
}

thread_local! {
    /// The message and location of the latest panic on this thread, noted by the hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the default panic output (a message and a backtrace on stderr, for every panic,
/// caught or not) with a note that [`contain`] turns into the file's error. With
/// `RUST_BACKTRACE` set, the default output is kept as well, for debugging.
pub fn install_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let message = payload_text(info.payload());
        let note = match info.location() {
            Some(l) => format!("{message}, at {}:{}:{}", l.file(), l.line(), l.column()),
            None => message,
        };
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(note));
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default(info);
        }
    }));
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(r) = payload.downcast_ref::<RulePanic>() {
        r.message.clone()
    } else {
        "a panic".to_string()
    }
}

/// Runs one rule's check; a panic in it is re-raised tagged with the rule's code.
pub(crate) fn run_rule(rule: &'static str, f: impl FnOnce()) {
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(f)) {
        if payload.downcast_ref::<RulePanic>().is_some() {
            panic::resume_unwind(payload);
        }
        let message = LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| payload_text(payload.as_ref()));
        panic::resume_unwind(Box::new(RulePanic { rule, message }));
    }
}

/// Runs one file's work; a panic becomes an [`InternalError`].
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, InternalError> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let noted = LAST_PANIC.with(|p| p.borrow_mut().take());
        match payload.downcast::<RulePanic>() {
            Ok(r) => InternalError {
                rule: Some(r.rule),
                message: r.message,
            },
            Err(payload) => InternalError {
                rule: None,
                message: noted.unwrap_or_else(|| payload_text(payload.as_ref())),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_panic_names_the_rule_and_its_message() {
        install_hook();
        let e = contain(|| run_rule("DF999", || panic!("on purpose {}", 1))).unwrap_err();
        assert_eq!(e.rule, Some("DF999"));
        assert!(
            e.message.starts_with("on purpose 1, at src/guard.rs:"),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("internal error in DF999 (on purpose 1")
        );
        let e = contain(|| -> u8 { panic!("plain") }).unwrap_err();
        assert_eq!(e.rule, None);
        assert!(e.message.starts_with("plain"), "{e:?}");
        assert_eq!(contain(|| 7), Ok(7));
    }
}
