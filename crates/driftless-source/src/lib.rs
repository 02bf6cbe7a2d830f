//! Git sources: repository cache, revision resolution, tree views.
