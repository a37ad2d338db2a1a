use clap::Parser;
use server::cli::{Cli, Command};
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: a `perf` profile of the release server under
/// `scripts/bench-wrk` (PostgreSQL) had a fifth of its samples in glibc's allocator
/// (`_int_malloc`, `_int_free`, `malloc_consolidate`…): every webhook, batch and
/// statement allocates and frees across the runtime's worker threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    server::init_tracing();
    let config = match server::Config::from_env() {
        Ok(config) => config,
        Err(err) => return fail(err),
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => match server::run(config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => fail(err),
        },
        Command::Sources { json, action } => {
            printed(server::cli::sources(&config, action, json).await)
        }
        Command::Tokens { action } => printed(server::cli::tokens(&config, action).await),
        Command::Webhooks { action } => printed(server::cli::webhooks(&config, action).await),
    }
}

fn printed(result: Result<String, server::cli::CliError>) -> ExitCode {
    match result {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(err) => fail(err),
    }
}

/// One clear line, for people and for process supervisors.
fn fail(err: impl std::fmt::Display) -> ExitCode {
    eprintln!("stormwatch: {err}");
    ExitCode::FAILURE
}
