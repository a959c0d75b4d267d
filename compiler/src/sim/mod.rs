//! Concrete stable state, effective routes and forwarding traces. (Being written.)
