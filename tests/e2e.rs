//! Proof by building (RULES.md, transform 1): every case under tests/e2e/cases is built with
//! buildah as written, after `check --fix` and after `check --fix --unsafe-fixes`; all three must
//! build and pass the case's check, and the fixes must not grow the image (tests/e2e/run.sh).
//!
//! It needs root, buildah, debootstrap and deb.debian.org, and takes a minute or two, so it only
//! runs with `DOCKERFIX_E2E=1` (CI sets it, see .ci/run): `DOCKERFIX_E2E=1 cargo test --test e2e`.

use std::process::Command;

#[test]
fn fixed_images_build_work_and_shrink() {
    if std::env::var("DOCKERFIX_E2E").as_deref() != Ok("1") {
        println!("skipped: set DOCKERFIX_E2E=1");
        return;
    }
    let repo = env!("CARGO_MANIFEST_DIR");
    // The binary cargo built for this very test run (no second, release build): the script
    // defaults to target/release/dockerfix when run by hand.
    let output = Command::new("bash")
        .args(["-c", "exec 2>&1; exec bash tests/e2e/run.sh"])
        .current_dir(repo)
        .env("DOCKERFIX_BIN", env!("CARGO_BIN_EXE_dockerfix"))
        .output()
        .expect("run bash tests/e2e/run.sh");
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "tests/e2e/run.sh failed ({}):\n{log}",
        output.status
    );
    // The size table and timings are at the end (shown with `-- --nocapture`).
    let tail: Vec<&str> = log.lines().rev().take(30).collect();
    for line in tail.into_iter().rev() {
        println!("{line}");
    }
}
