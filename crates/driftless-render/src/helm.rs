//! Helm sources. The native renderer lives in `driftless-helm`; this is the
//! one place it is wired in.

use crate::docs::Document;
use crate::{RenderError, RenderOptions, SourceFs};

/// Renders the chart in directory `path` with `opts.helm`.
///
/// Not yet available: returns [`RenderError::HelmUnsupported`].
pub fn render_helm(
    _fs: &dyn SourceFs,
    path: &str,
    _opts: &RenderOptions,
) -> Result<Vec<Document>, RenderError> {
    Err(RenderError::HelmUnsupported {
        path: if path.is_empty() {
            ".".into()
        } else {
            path.to_string()
        },
    })
}
