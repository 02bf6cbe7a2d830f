//! Go text/template engine.
