//! The pure core of ppcr.
