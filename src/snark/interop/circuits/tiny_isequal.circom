pragma circom 2.0.0;

// Smallest fixture: circomlib IsEqual (2 constraints) with one public input
// and one public output, so the QAP domain is tiny (4).
include "circomlib/circuits/comparators.circom";

template TinyIsEqual() {
    signal input expected;   // public
    signal input x;          // private
    signal output eq;

    component e = IsEqual();
    e.in[0] <== x;
    e.in[1] <== expected;
    eq <== e.out;
}

component main {public [expected]} = TinyIsEqual();
