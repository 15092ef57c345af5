pragma circom 2.0.0;

// Exactly one public signal: the Poseidon(5) digest of five private inputs.
include "circomlib/circuits/poseidon.circom";

template PoseidonHash(n) {
    signal input in[n];
    signal output hash;

    component h = Poseidon(n);
    for (var i = 0; i < n; i++) {
        h.inputs[i] <== in[i];
    }
    hash <== h.out;
}

component main = PoseidonHash(5);
