use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    server::init_tracing();
    let result = match server::Config::from_env() {
        Ok(config) => server::run(config).await,
        Err(err) => Err(err.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One clear line, for people and for process supervisors.
            eprintln!("stormwatch: {err}");
            ExitCode::FAILURE
        }
    }
}
