//! The media side on real loopback sockets: G.711, SDP, streams and the relay.

mod codecs;
mod relay;
mod sdp;
mod streams;
