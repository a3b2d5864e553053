//! Launch cost of ppcr-qemu against QEMU's own cold start.
//!
//! `cargo run --release -p ppcr-qemu --example launch_bench [-- ROUNDS]`
//!
//! Baseline: QEMU with the same machine arguments and `-qmp stdio`, its
//! stdin pre-filled with `qmp_capabilities` + `quit`; measured from spawn to
//! exit. That is QEMU's start-up, one QMP exchange and its tear-down with
//! no harness at all. Measured: `Guest::launch` (listen, spawn on the
//! spawner thread, three connect-backs, greeting, `qmp_capabilities`) and
//! `Guest::shutdown`. Reports medians and the ratio.

use std::time::{Duration, Instant};

use ppcr_qemu::{Guest, LaunchConfig, QemuBinary, QemuKind, RunDir};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn baseline(bin: &QemuBinary, args: &[String]) -> Duration {
    ppcr_qemu::baseline::start_quit(bin, args).expect("baseline QEMU")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10);
    let dir = RunDir::new()?;
    let fw = dir.path().join("zero.bin");
    std::fs::write(&fw, [0u8; 4096])?;
    let fw = fw.to_string_lossy().into_owned();
    let machines: Vec<(&str, QemuKind, Vec<String>)> = vec![
        (
            "pseries/power9",
            QemuKind::Ppc64,
            [
                "-M", "pseries", "-cpu", "power9", "-m", "256", "-S", "-bios", &fw,
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "ppce500/e500v2",
            QemuKind::Ppc,
            ["-M", "ppce500", "-cpu", "e500v2", "-m", "256", "-S"]
                .map(String::from)
                .to_vec(),
        ),
    ];
    for (name, kind, args) in machines {
        let bin = QemuBinary::find(kind)?;
        // Warm the page cache and the spawner thread once.
        baseline(&bin, &args);
        Guest::launch(LaunchConfig::new(bin.clone()).args(&args))
            .await?
            .shutdown()
            .await?;

        let base: Vec<_> = (0..rounds).map(|_| baseline(&bin, &args)).collect();
        let (mut ready, mut connected, mut spawned, mut total) = (vec![], vec![], vec![], vec![]);
        for _ in 0..rounds {
            let start = Instant::now();
            let g = Guest::launch(LaunchConfig::new(bin.clone()).args(&args)).await?;
            let t = g.timings();
            g.shutdown().await?;
            total.push(start.elapsed());
            ready.push(t.ready);
            connected.push(t.connected);
            spawned.push(t.spawned);
        }
        let (b, t) = (median(base), median(total));
        println!("{name} ({rounds} rounds, medians)");
        println!(
            "  QEMU cold start (-qmp stdio, capabilities, quit): {}",
            ms(b)
        );
        println!(
            "  ppcr-qemu: fork {} | sockets connected {} | QMP ready {} | launch+shutdown {}",
            ms(median(spawned)),
            ms(median(connected)),
            ms(median(ready)),
            ms(t)
        );
        println!(
            "  ratio launch+shutdown / cold start: {:.2}",
            t.as_secs_f64() / b.as_secs_f64()
        );
    }
    Ok(())
}
