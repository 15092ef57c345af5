pragma circom 2.0.0;

// The biggest interop fixture: a chain of circomlib Poseidon(2) hashes
// followed by a chain of squarings, sized so that
// nConstraints + nPublic + 1 == 8192 exactly: the domain is 2^13 with no
// padding rows (33 * 240 + 269 = 8189 constraints with --O2, 2 public).
// Public: seed (input) and the final value (output).
include "circomlib/circuits/poseidon.circom";

template PoseidonChain(nHash, nSquare) {
    signal input seed;       // public
    signal input salt;       // private
    signal output out;

    component h[nHash];
    signal acc[nHash + 1];
    acc[0] <== seed;
    for (var i = 0; i < nHash; i++) {
        h[i] = Poseidon(2);
        h[i].inputs[0] <== acc[i];
        h[i].inputs[1] <== salt + i;
        acc[i + 1] <== h[i].out;
    }
    signal sq[nSquare + 1];
    sq[0] <== acc[nHash];
    for (var i = 0; i < nSquare; i++) {
        sq[i + 1] <== sq[i] * sq[i] + i;
    }
    out <== sq[nSquare];
}

component main {public [seed]} = PoseidonChain(33, 269);
