pragma circom 2.0.0;

// Zero public signals: everything is private and the circuit has no outputs.
// Decomposes private values into bits (Num2Bits), recomposes them (Bits2Num)
// and checks a strict 254-bit decomposition (Num2Bits_strict, AliasCheck).
include "circomlib/circuits/bitify.circom";

template Num2BitsPrivate(n) {
    signal input a;
    signal input b;
    signal input c;

    component na = Num2Bits(n);
    na.in <== a;
    component ra = Bits2Num(n);
    for (var i = 0; i < n; i++) {
        ra.in[i] <== na.out[n - 1 - i];   // bit-reverse a into ra.out
    }
    // ra.out must equal b (b is a with its n bits reversed).
    ra.out === b;

    component sc = Num2Bits_strict();
    sc.in <== c;
    // Tie c's bits together: the product of its low two bits is zero.
    signal low01;
    low01 <== sc.out[0] * sc.out[1];
    low01 === 0;
}

component main = Num2BitsPrivate(64);
