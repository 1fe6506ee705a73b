//! The `cf-scale` binary: see [`cf_scale::cli`].

fn main() -> std::process::ExitCode {
    cf_scale::cli::run()
}
