//! `paygate`: the gateway, its KakaoPay sandbox, the demo, and merchant administration.

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "paygate",
    version,
    about = "I'mport-compatible payment gateway (KakaoPay)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway.
    Serve(commands::serve::ServeArgs),
    /// Create and list merchants.
    #[command(subcommand)]
    Merchant(commands::merchant::MerchantCommand),
    /// Run the KakaoPay sandbox (a stand-in for KakaoPay's API and buyer pages).
    KakaopaySandbox(commands::sandbox::SandboxArgs),
    /// Apply database migrations and exit.
    Migrate(commands::DatabaseArgs),
    /// Run gateway, KakaoPay sandbox and a demo merchant together on localhost.
    Demo(commands::demo::DemoArgs),
    /// Benchmark the gateway against this machine's own limits (lookup, whole payments).
    Bench(commands::bench::BenchArgs),
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PAYGATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The benchmark's own store (seeding, the commit probe) logs only what went wrong.
    init_logging(match cli.command {
        Command::Bench(_) => "warn,sqlx=error",
        _ => "info,sqlx=warn",
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("paygate: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Merchant(cmd) => commands::merchant::run(cmd).await,
            Command::KakaopaySandbox(args) => commands::sandbox::run(args).await,
            Command::Migrate(args) => commands::migrate(args).await,
            Command::Demo(args) => commands::demo::run(args).await,
            Command::Bench(args) => commands::bench::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paygate: {e}");
            ExitCode::FAILURE
        }
    }
}
