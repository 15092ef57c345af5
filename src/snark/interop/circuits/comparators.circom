pragma circom 2.0.0;
// circom-flags: --O1

// Many public signals (9 public inputs + 9 outputs = 18): range checks built
// from circomlib comparators (LessThan, LessEqThan, GreaterEqThan,
// GreaterThan, IsEqual) and AND gates.
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/gates.circom";

template RangeChecks(n, bits) {
    signal input lo[n];      // public
    signal input hi[n];      // public
    signal input target;     // public
    signal input x[n];       // private

    signal output inRange[n];   // lo[i] <= x[i] <= hi[i]
    signal output isTarget[n];  // x[i] == target
    signal output nAboveTarget; // #{i : x[i] > target}

    component ge[n];
    component le[n];
    component and[n];
    component eq[n];
    component gt[n];
    component lt[n];
    var above = 0;
    for (var i = 0; i < n; i++) {
        ge[i] = GreaterEqThan(bits);
        ge[i].in[0] <== x[i];
        ge[i].in[1] <== lo[i];
        le[i] = LessEqThan(bits);
        le[i].in[0] <== x[i];
        le[i].in[1] <== hi[i];
        and[i] = AND();
        and[i].a <== ge[i].out;
        and[i].b <== le[i].out;
        inRange[i] <== and[i].out;

        eq[i] = IsEqual();
        eq[i].in[0] <== x[i];
        eq[i].in[1] <== target;
        isTarget[i] <== eq[i].out;

        gt[i] = GreaterThan(bits);
        gt[i].in[0] <== x[i];
        gt[i].in[1] <== target;
        above += gt[i].out;

        // lo[i] < hi[i] is required.
        lt[i] = LessThan(bits);
        lt[i].in[0] <== lo[i];
        lt[i].in[1] <== hi[i];
        lt[i].out === 1;
    }
    nAboveTarget <== above;
}

component main {public [lo, hi, target]} = RangeChecks(4, 64);
