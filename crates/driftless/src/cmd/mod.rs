//! One module per subcommand.

pub mod app;
pub mod appset;
pub mod controller;
pub mod output;
pub mod render;
#[cfg(feature = "sim")]
pub mod sim;
pub mod sync;
pub mod target_args;
