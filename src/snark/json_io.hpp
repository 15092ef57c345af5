// The snarkjs JSON artefacts: proof.json, public.json and verification_key.json.
//
// Writers produce exactly snarkjs's shapes, key order and layout (JSON.stringify(obj, null, 1):
// one-space indentation, no trailing newline), with affine normal-form coordinates as decimal
// strings and a projective third coordinate "1" (["1","0"] for G2); the point at infinity is
// written as snarkjs does, ["0","1","0"] (G2: [["0","0"],["1","0"],["0","0"]]).
//
// Readers validate strictly and throw FormatError "<file>: <where>: <problem>" on anything off:
// malformed JSON, missing keys, wrong shapes or element counts, numbers where decimal strings are
// expected, non-canonical values (coordinates >= q, public signals >= r), a projective coordinate
// other than "1", points not on the curve or (G2) outside the subgroup, wrong protocol/curve,
// oversized input.
#pragma once

#include "math/bn254.hpp"
#include "math/g1.hpp"
#include "math/g2.hpp"
#include "math/u256.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace provernet::snark {

struct Proof {
    math::G1Affine a;
    math::G2Affine b;
    math::G1Affine c;
};

struct VerificationKey {
    uint32_t n_public = 0;
    math::G1Affine alpha1;
    math::G2Affine beta2, gamma2, delta2;
    std::vector<math::G1Affine> ic;  // n_public + 1
    // e(alpha1, beta2) in snarkjs's vk_alphabeta_12 order: [[[a,b],[c,d],[e,f]],[[g,h],[i,j],[k,l]]]
    // (two Fq6 halves, each three Fq2 = (c0, c1)) flattened to a..l.
    std::array<math::Fq, 12> alphabeta12{};
};

// Input limits.
inline constexpr uint64_t kMaxProofJsonBytes = 1 << 20;            // 1 MiB
inline constexpr uint64_t kMaxPublicJsonBytes = uint64_t(64) << 20;  // 64 MiB
inline constexpr uint64_t kMaxVkJsonBytes = uint64_t(256) << 20;    // 256 MiB (IC: ~170 bytes a signal)
inline constexpr uint64_t kMaxPublicSignals = uint64_t(1) << 24;

// --- Writers (strings) -------------------------------------------------------------------
std::string proof_to_json(const Proof& proof);
// Signals in normal form; std::invalid_argument if one is >= r.
std::string public_to_json(std::span<const math::U256> signals);
// std::invalid_argument if ic.size() != n_public + 1.
std::string verification_key_to_json(const VerificationKey& vk);

// --- Writers (files; written to a temporary and renamed). FormatError on I/O failure or on the
// invalid inputs above.
void write_proof_json(const std::string& path, const Proof& proof);
void write_public_json(const std::string& path, std::span<const math::U256> signals);
void write_verification_key_json(const std::string& path, const VerificationKey& vk);

// --- Readers (text; `name` labels messages) ------------------------------------------------
// proof.json: "curve" may be absent (rapidsnark omits it) but must be bn128 when present.
Proof parse_proof_json(std::string_view text, const std::string& name = "proof.json");
std::vector<math::U256> parse_public_json(std::string_view text, const std::string& name = "public.json");
// The same checks on JSON already parsed (e.g. a field of a request body whose size the caller
// bounded), without serialising and parsing it again.
Proof proof_from_json(const nlohmann::json& root, const std::string& name);
std::vector<math::U256> public_signals_from_json(const nlohmann::json& root, const std::string& name);
VerificationKey parse_verification_key_json(std::string_view text,
                                            const std::string& name = "verification_key.json");

// --- Readers (files) -----------------------------------------------------------------------
Proof read_proof_json(const std::string& path);
std::vector<math::U256> read_public_json(const std::string& path);
VerificationKey read_verification_key_json(const std::string& path);

// Multi-line summary of a proof / public / verification-key JSON file (kind sniffed from its
// contents). FormatError when it is none of them or invalid.
std::string json_info(const std::string& path);

}  // namespace provernet::snark
