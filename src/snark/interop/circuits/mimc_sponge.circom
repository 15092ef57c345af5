pragma circom 2.0.0;

// circomlib MiMCSponge (220 rounds, Feistel over x^5) absorbing 3 private
// inputs with a public key, squeezing 2 public outputs (3 public signals).
include "circomlib/circuits/mimcsponge.circom";

template MiMCSpongeHash() {
    signal input ins[3];   // private
    signal input k;        // public
    signal output outs[2];

    component s = MiMCSponge(3, 220, 2);
    for (var i = 0; i < 3; i++) {
        s.ins[i] <== ins[i];
    }
    s.k <== k;
    outs[0] <== s.outs[0];
    outs[1] <== s.outs[1];
}

component main {public [k]} = MiMCSpongeHash();
