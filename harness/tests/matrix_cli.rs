//! `ppcr matrix` through the binary, with the test-only fake simulator
//! (`--simulator fake` + PPCR_TEST_FAKE_SIMULATOR=1): shards as separate
//! processes merged, kill and resume, merge refusals, diff, JUnit, and the
//! HTML heat map rendered by headless Chromium.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SOURCES: &str = "7400,e500mc,power9";

fn ppcr() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ppcr"));
    c.env("PPCR_TEST_FAKE_SIMULATOR", "1")
        .env_remove("PPCR_TEST_FAKE_DELAY_MS")
        .stdin(Stdio::null());
    c
}

fn matrix_cmd(out: &Path, extra: &[&str]) -> Command {
    let mut c = ppcr();
    c.args(["matrix", "--simulator", "fake", "--jobs", "2", "--out"])
        .arg(out)
        .args(extra);
    c
}

fn show(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs to the end; the fake's matrix always has failures, so exit 1.
fn run_matrix(out: &Path, extra: &[&str]) -> Output {
    let o = matrix_cmd(out, extra).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    o
}

/// matrix.json without what legitimately differs between runs (timings).
fn load(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("matrix.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    for p in v["pairs"].as_array_mut().unwrap() {
        p["millis"] = Value::from(0);
    }
    v
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn a_small_real_matrix_runs_in_qemu() {
    // The real simulator: every pair is a checkpoint and a forced restore in
    // QEMU guests. isa300 and dispatch on POWER9 are the cells that show why
    // the hwcap policy exists: records accepts them on older CPUs, they crash.
    let dir = tmp();
    let out = dir.path().join("report");
    let o = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args([
            "matrix",
            "--sources",
            "power9",
            "--workloads",
            "isa300,dispatch",
            "--targets",
            "power8,970,power10,e6500",
            "--out",
        ])
        .arg(&out)
        .env_remove("PPCR_TEST_FAKE_SIMULATOR")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let m = load(&out);
    assert_eq!(m["complete"], true);
    let summary = &m["summary"];
    let counts = |policy: &str| {
        summary
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["policy"] == policy)
            .unwrap()["counts"]
            .clone()
    };
    assert_eq!(counts("hwcap")["unsafe"], 0, "{summary}");
    assert_eq!(counts("hwcap")["error"], 0, "{summary}");
    assert_eq!(counts("records")["error"], 0, "{summary}");
    assert!(
        counts("records")["unsafe"].as_u64().unwrap() > 0,
        "{summary}"
    );
    for f in ["index.html", "summary.md", "junit.xml"] {
        assert!(out.join(f).exists(), "{f}");
    }
    let dir = tmp();
    let out = dir.path().join("report");
    // The fake is refused without its environment variable.
    let o = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(["matrix", "--simulator", "fake", "--out"])
        .arg(&out)
        .env_remove("PPCR_TEST_FAKE_SIMULATOR")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(!out.exists());
    // A selection without cells is refused, not reported as a pass.
    let o = matrix_cmd(&out, &["--sources", "750", "--workloads", "vsx"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no cells"),
        "{}",
        show(&o)
    );
    assert!(!out.exists());
}

#[test]
fn three_shard_processes_merge_into_the_unsharded_matrix() {
    let dir = tmp();
    let d = |n: &str| dir.path().join(n);
    let sel = ["--sources", SOURCES];
    // The shards run at the same time, as separate processes.
    let shards: Vec<Child> = (1..=3)
        .map(|k| {
            matrix_cmd(
                &d(&format!("s{k}")),
                &[&sel[..], &["--shard", &format!("{k}/3")]].concat(),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    run_matrix(&d("whole"), &sel);
    for c in shards {
        let o = c.wait_with_output().unwrap();
        // A shard passes or fails on its own cells.
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", show(&o));
    }
    let parts: Vec<usize> = (1..=3)
        .map(|k| {
            load(&d(&format!("s{k}")))["pairs"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert!(
        parts.iter().all(|&n| n > 0),
        "every shard has work: {parts:?}"
    );
    let o = ppcr()
        .args(["matrix", "merge"])
        .args([d("s1"), d("s2"), d("s3")])
        .arg("--out")
        .arg(d("merged"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "fails on the fake's failures: {}",
        show(&o)
    );
    let (merged, whole) = (load(&d("merged")), load(&d("whole")));
    assert_eq!(
        merged["pairs"].as_array().unwrap().len(),
        parts.iter().sum::<usize>()
    );
    assert_eq!(merged, whole);
    for f in ["index.html", "summary.md", "junit.xml"] {
        assert!(
            std::fs::read(d("merged").join(f)).unwrap().len() > 100,
            "{f}"
        );
    }

    // Missing shard: refused, naming a missing cell.
    let o = ppcr()
        .args(["matrix", "merge"])
        .args([d("s1"), d("s3")])
        .arg("--out")
        .arg(d("bad"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let a_missing = load(&d("s2"))["pairs"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(err.contains("missing") && err.contains(&a_missing), "{err}");
    // Duplicated shard: refused, naming a duplicated cell.
    let o = ppcr()
        .args(["matrix", "merge"])
        .args([d("s1"), d("s2"), d("s3"), d("s2")])
        .arg("--out")
        .arg(d("bad"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        err.contains("more than once") && err.contains(&a_missing),
        "{err}"
    );
    assert!(!d("bad").join("matrix.json").exists());

    // JUnit: a failure for exactly the error cells and the hwcap unsafe cells.
    let m = load(&d("merged"));
    let mut expected = 0;
    for p in m["pairs"].as_array().unwrap() {
        for c in p["cells"].as_array().unwrap() {
            let class = c["class"].as_str().unwrap();
            if class == "error" || (class == "unsafe" && c["policy"] == "hwcap") {
                expected += 1;
            }
        }
    }
    let xml = std::fs::read_to_string(d("merged").join("junit.xml")).unwrap();
    assert!(expected > 0);
    assert_eq!(xml.matches("<failure").count(), expected);

    // diff: identical → 0; a new unsafe cell → 1, named.
    let o = ppcr()
        .args(["matrix", "diff"])
        .args([d("whole"), d("merged")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let mut worse = load(&d("whole"));
    let (name, idx) = worse["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find_map(|(i, p)| {
            (p["cells"][2]["class"] == "pass").then(|| (p["name"].as_str().unwrap().to_string(), i))
        })
        .unwrap();
    worse["pairs"][idx]["outcome"] = Value::from("crash");
    worse["pairs"][idx]["cells"][2]["class"] = Value::from("unsafe");
    std::fs::write(d("worse.json"), serde_json::to_string(&worse).unwrap()).unwrap();
    let o = ppcr()
        .args(["matrix", "diff"])
        .arg(d("whole"))
        .arg(d("worse.json"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        text.contains(&format!("NEW FAILURE changed {name}:hwcap: pass")),
        "{text}"
    );
    // The other way round the change is a fix, not a failure.
    let o = ppcr()
        .args(["matrix", "diff"])
        .arg(d("worse.json"))
        .arg(d("whole"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    // A partial NEW (a shard) fails the diff.
    let o = ppcr()
        .args(["matrix", "diff"])
        .arg(d("whole"))
        .arg(d("s1"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
}

fn journal_lines(out: &Path) -> usize {
    std::fs::read_to_string(out.join("journal.jsonl"))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// Starts a slow run and interrupts it with `signal` once `lines` records
/// are journalled.
fn interrupt(out: &Path, sel: &[&str], signal: i32, lines: usize, resume: bool) {
    let mut args = sel.to_vec();
    if resume {
        args.push("--resume");
    }
    let mut child = matrix_cmd(out, &args)
        .env("PPCR_TEST_FAKE_DELAY_MS", "15")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while journal_lines(out) < lines {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the interrupt"
        );
        assert!(start.elapsed() < Duration::from_secs(20), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    let status = child.wait().unwrap();
    assert!(
        status.code() != Some(0) && status.code() != Some(1),
        "{status:?}"
    );
}

#[test]
fn resume_after_sigint_and_sigkill_equals_an_uninterrupted_run() {
    let dir = tmp();
    let sel = [
        "--sources",
        "7400,e500mc",
        "--workloads",
        "int,fp,vmx,dispatch,booke-debug",
    ];
    let whole = dir.path().join("whole");
    run_matrix(&whole, &sel);
    let total = load(&whole)["pairs"].as_array().unwrap().len();

    let out = dir.path().join("interrupted");
    interrupt(&out, &sel, libc::SIGINT, 10, false);
    let after_int = journal_lines(&out);
    interrupt(&out, &sel, libc::SIGKILL, after_int + 10, true);
    assert!(
        !out.join("matrix.json").exists(),
        "no report from an interrupted run"
    );
    // A record torn by the kill.
    let mut j = std::fs::OpenOptions::new()
        .append(true)
        .open(out.join("journal.jsonl"))
        .unwrap();
    j.write_all(br#"{"name":"7400/ppc32/int@750","sour"#)
        .unwrap();
    drop(j);
    let done = journal_lines(&out) - 2; // header and torn line
    assert!(done > 0 && done < total, "{done} of {total}");

    let o = run_matrix(&out, &[&sel[..], &["--resume"]].concat());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "{} pair(s) run, {done} resumed from the journal",
            total - done
        )),
        "{err}"
    );
    assert_eq!(load(&out), load(&whole));
    // Every journalled pair once, the torn line gone.
    let text = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    assert_eq!(text.lines().count(), total + 1);
    assert!(text.ends_with('\n'));

    // A journal of another selection is not resumed.
    let o = matrix_cmd(&out, &["--sources", "7400", "--resume"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("another run"),
        "{}",
        show(&o)
    );
}

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(o) = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
        {
            if o.status.success() {
                return PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
            }
        }
    }
    panic!("the HTML report test needs headless Chromium: apt-get install chromium (ci/setup installs it)");
}

fn chromium_cmd(profile: &Path) -> Command {
    let mut c = Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-color-profile=srgb",
        "--window-size=1400,900",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .stdin(Stdio::null());
    c
}

/// The RGB pixels of a PNG.
fn png_pixels(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let mut reader = png::Decoder::new(bytes).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        t => panic!("colour type {t:?}"),
    };
    let px = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, px)
}

#[test]
fn the_html_heat_map_renders_in_headless_chromium() {
    let dir = tmp();
    let out = dir.path().join("report");
    // Small enough to fit the window; it has hwcap-unsafe and error cells.
    run_matrix(
        &out,
        &[
            "--sources",
            "7400,e500mc,power9",
            "--targets",
            "440epb,e6500,power8,power9",
            "--workloads",
            "int,fp,vmx,isa300,dispatch",
        ],
    );
    let url = format!("file://{}", out.join("index.html").display());
    let png = dir.path().join("shot.png");
    let o = chromium_cmd(&dir.path().join("profile"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(png.exists(), "no screenshot: {}", show(&o));
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.len() > 10_000,
        "a trivial screenshot ({} bytes)",
        bytes.len()
    );
    let (w, h, px) = png_pixels(&bytes);
    assert_eq!((w, h), (1400, 900));
    let near = |p: &[u8; 3], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 6);
    let count = |c| px.iter().filter(|p| near(p, c)).count();
    // The unsafe colour (#ff1744) fills at least one cell; pass (#2e7d32)
    // and error (#4a148c) cells are there too.
    let unsafe_px = count([0xff, 0x17, 0x44]);
    assert!(
        unsafe_px > 200,
        "unsafe cells not visible: {unsafe_px} pixels"
    );
    assert!(count([0x2e, 0x7d, 0x32]) > 200);
    assert!(count([0x4a, 0x14, 0x8c]) > 100);

    let o = chromium_cmd(&dir.path().join("profile2"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    let m = load(&out);
    let cells = m["rows"].as_array().unwrap().len() * m["targets"].as_array().unwrap().len() * 3;
    assert_eq!(dom.matches("<td class=\"c ").count(), cells, "{}", show(&o));
    assert!(dom.contains("data-class=\"unsafe\"") && dom.contains("data-class=\"error\""));
    assert!(dom.contains("id=\"tab-hwcap\" checked"));

    // The page's script runs: a #cell= link opens that cell's details.
    let o = chromium_cmd(&dir.path().join("profile3"))
        .arg("--dump-dom")
        .arg(format!("{url}#cell=7400/ppc32/vmx@e6500:hwcap"))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    let details = &dom[dom.find("id=\"details\"").expect("the details box")..];
    let details = &details[..details.find("</div>").unwrap()];
    assert!(details.contains("display: block"), "{details}");
    assert!(details.contains("[hwcap] unsafe"), "{details}");
    assert!(details.contains("outcome: wrong"), "{details}");
    assert!(
        dom.contains("class=\"c unsafe sel\""),
        "the cell is selected"
    );
}
