//! The benchmark's reference server as a binary of its own (the same as `fenfa reference`);
//! see `fenfa::reference`.

use clap::Parser;
use fenfa::config::Config;

#[derive(Parser)]
#[command(
    name = "fenfa-reference",
    about = "Bare-stack reference server of the benchmark"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    fenfa::runtime()?.block_on(fenfa::reference::serve(cli.config))
}
