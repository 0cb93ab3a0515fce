//! The receptionist console (in progress).
