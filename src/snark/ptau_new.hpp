// A fresh, phase-2-ready powers-of-tau file (.ptau) from one party's randomness, for development
// and tests, plus the snarkjs ceremony primitives it needs (BLAKE2b with snarkjs's "partial
// hash", ffjavascript's ChaCha generator and hash-to-G2, the uncompressed/compressed point
// encodings). groth16_setup (setup.hpp) uses the same primitives for its phase-2 contribution.
//
// DEVELOPMENT ONLY. A single-party setup is only as trustworthy as the one machine that ran it:
// tau, alpha and beta (the "toxic waste") exist in its memory while the file is computed, and
// whoever learns them can forge proofs for every circuit set up from the file. For production
// use a public multi-party ceremony (e.g. the Hermez/Polygon perpetual powers of tau).
//
// The file is what `snarkjs powersoftau new` + `contribute` + `prepare phase2` would produce:
// sections 1-7 with one contribution whose proofs of knowledge, challenge and response hashes
// `snarkjs powersoftau verify` checks, then the Lagrange sections 12-15 (see ptau.hpp), computed
// directly as L_i(tau) field elements followed by fixed-base scalar multiplications (no group
// FFTs). Sections 12-15 are bit-identical to what `snarkjs powersoftau prepare phase2` computes
// from sections 2-5, including its treatment of the extra size-2^(power+1) block of section 12
// (the inverse FFT of [tau^0, ..., tau^(2^(power+1)-2), 0]).
#pragma once

#include "math/bn254.hpp"
#include "math/g1.hpp"
#include "math/g2.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace provernet::snark {

// One line for users of the output, printed by the CLI and written into the file's contribution name.
inline constexpr std::string_view kSinglePartySetupWarning =
    "single-party setup: for development only (its toxic waste was known to this machine while it ran)";

// ------------------------------------------------------------------------------------------
// Ceremony primitives (snarkjs/ffjavascript-compatible; clean-room implementations).
namespace ceremony {

using Hash64 = std::array<uint8_t, 64>;

// BLAKE2b (RFC 7693), unkeyed, digest length 1..64 bytes. Like snarkjs's implementation it keeps
// the last (possibly full) block buffered until more data arrives, so its state can be saved as
// snarkjs's 216-byte "partial hash" (the ptau contribution's partialHash field).
class Blake2b {
public:
    explicit Blake2b(size_t digest_bytes = 64);
    Blake2b& update(const void* data, size_t n);
    // The digest of everything so far (the state is unchanged, so hashing may continue).
    Hash64 digest() const;  // the first digest_bytes bytes are meaningful
    // snarkjs toPartialHash layout: the 128-byte block buffer, the eight state words (u64 LE),
    // u64 bytes compressed, u32 bytes buffered, zero padding. Only for 64-byte digests.
    std::array<uint8_t, 216> partial_state() const;
    static Blake2b from_partial_state(const uint8_t state[216]);

private:
    void compress(const uint8_t block[128], bool last);
    uint64_t h_[8];
    uint64_t compressed_ = 0;  // bytes compressed so far (the counter before the buffered block)
    uint8_t buf_[128];
    size_t pos_ = 0;
    size_t digest_bytes_;
};

Hash64 blake2b_512(const void* data, size_t n);

// ffjavascript's ChaCha generator: the ChaCha20 block function over the state
// [constants, 8 seed words, 4 counter words = 0], 16 words per block.
class ChaChaRng {
public:
    explicit ChaChaRng(const std::array<uint32_t, 8>& seed);
    uint32_t next_u32();
    uint64_t next_u64();  // high word first, as ffjavascript
    bool next_bool() { return (next_u32() & 1) != 0; }

private:
    void refill();
    uint32_t state_[16];
    uint32_t block_[16];
    unsigned idx_ = 16;
};

// snarkjs keypair.hashToG2: ChaCha seeded with the first 32 bytes of `hash` (eight big-endian
// words), then ffjavascript's G2.fromRng (random x until x^3 + b is a square, y with the sign
// bit drawn, times the G2 cofactor). The verifier recomputes this point, so it must match exactly.
math::G2Affine hash_to_g2(const Hash64& hash);

// Point encodings (ffjavascript): "uncompressed" = affine normal-form coordinates, big-endian,
// Fq2 as (c1, c0); infinity = all zeros. "compressed" = x only, with 0x80 set in the first byte
// when y is the larger root (ffjavascript's sign: c1's sign, or c0's when c1 = 0) and 0x40 alone
// for infinity.
void g1_uncompressed(const math::G1Affine& p, uint8_t out[64]);
void g2_uncompressed(const math::G2Affine& p, uint8_t out[128]);
void g1_compressed(const math::G1Affine& p, uint8_t out[32]);
void g2_compressed(const math::G2Affine& p, uint8_t out[64]);

// The hash snarkjs uses for a fresh accumulator of 2^power ("calculateFirstChallengeHash").
Hash64 first_challenge_hash(uint32_t power);

// Square roots (nullopt for non-squares). Which root is returned is unspecified.
std::optional<math::Fq> fq_sqrt(const math::Fq& a);
std::optional<math::Fq2> fq2_sqrt(const math::Fq2& a);

}  // namespace ceremony

// ------------------------------------------------------------------------------------------
// write_new_ptau

struct PTauNewOptions {
    // Contribution name stored in section 7 (at most 64 bytes are kept, as snarkjs does).
    std::string name = "provernet single-party dev setup (NOT for production)";
    // Called with a stage name and the fraction done (0..1). The CLI passes a printer that
    // writes to stderr only when it is a terminal.
    std::function<void(std::string_view stage, double done)> progress;
};

struct PTauNewResult {
    ceremony::Hash64 response_hash;   // "Contribution Response Hash" in snarkjs's terms
    ceremony::Hash64 next_challenge;  // the challenge a next contributor would answer
};

inline constexpr uint32_t kMaxNewPTauPower = 27;

// Writes a prepared powers-of-tau file of 2^power (1 <= power <= 27) to `path` (through a
// temporary file renamed into place). tau, alpha and beta come from the OS's CSPRNG (getrandom)
// and are wiped from memory afterwards. std::invalid_argument for a bad power, FormatError on
// I/O failure.
PTauNewResult write_new_ptau(const std::string& path, uint32_t power, const PTauNewOptions& options = {});

}  // namespace provernet::snark
