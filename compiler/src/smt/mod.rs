//! SMT verification with z3. (Being written.)
