pragma circom 2.0.0;
// circom-flags: --O1

// Poseidon Merkle inclusion proof (depth 10) with Switcher-ordered children,
// Num2Bits for the leaf index and a nullifier; domain 2^12.
// Public: root and nullifier (outputs), index (input).
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/switcher.circom";
include "circomlib/circuits/bitify.circom";

template MerkleProof(depth) {
    signal input index;            // public
    signal input secret;           // private
    signal input siblings[depth];  // private
    signal output root;
    signal output nullifier;

    component leafHash = Poseidon(1);
    leafHash.inputs[0] <== secret;

    component bits = Num2Bits(depth);
    bits.in <== index;

    component sw[depth];
    component h[depth];
    signal cur[depth + 1];
    cur[0] <== leafHash.out;
    for (var i = 0; i < depth; i++) {
        sw[i] = Switcher();
        sw[i].sel <== bits.out[i];
        sw[i].L <== cur[i];
        sw[i].R <== siblings[i];
        h[i] = Poseidon(2);
        h[i].inputs[0] <== sw[i].outL;
        h[i].inputs[1] <== sw[i].outR;
        cur[i + 1] <== h[i].out;
    }
    root <== cur[depth];

    component nh = Poseidon(2);
    nh.inputs[0] <== secret;
    nh.inputs[1] <== index;
    nullifier <== nh.out;
}

component main {public [index]} = MerkleProof(10);
