// snarkjs powers-of-tau files (.ptau): container magic "ptau", version 1.
//
//   1  header        u32 n8q (= 32), q, u32 power, u32 ceremonyPower        (44 bytes)
//   2  tauG1         2^power * 2 - 1 G1   [tau^i]_1
//   3  tauG2         2^power G2           [tau^i]_2
//   4  alphaTauG1    2^power G1           [alpha tau^i]_1
//   5  betaTauG1     2^power G1           [beta tau^i]_1
//   6  betaG2        1 G2                 [beta]_2
//   7  contributions u32 count, then the contributions (kept opaque)
// and, once prepared for phase 2 ("snarkjs powersoftau prepare phase2"), the Lagrange bases of
// every size 2^k, stored one after another (the size-2^k block starts at point 2^k - 1):
//   12 lagrange tauG1       k = 0..power+1: 2^(power+2) - 1 G1
//   13 lagrange tauG2       k = 0..power:   2^(power+1) - 1 G2
//   14 lagrange alphaTauG1  k = 0..power:   2^(power+1) - 1 G1
//   15 lagrange betaTauG1   k = 0..power:   2^(power+1) - 1 G1
// Points are little-endian Montgomery limbs, infinity = all zeros (as in .zkey).
//
// Opening a PTau checks the header and every section size against `power` but reads no points;
// the accessors copy and validate a range of points on demand.
#pragma once

#include "math/g1.hpp"
#include "math/g2.hpp"
#include "snark/binfile.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace provernet::snark {

enum class PTauSection : uint32_t {
    tau_g1 = 2,
    tau_g2 = 3,
    alpha_tau_g1 = 4,
    beta_tau_g1 = 5,
    beta_g2 = 6,
    lagrange_tau_g1 = 12,
    lagrange_tau_g2 = 13,
    lagrange_alpha_tau_g1 = 14,
    lagrange_beta_tau_g1 = 15,
};

class PTau {
public:
    static constexpr uint32_t kMaxPower = 28;

    // Opens and validates the header and section table; FormatError on any bad input.
    static PTau open(const std::string& path);

    const std::string& path() const { return file_.path(); }
    uint32_t power() const { return power_; }
    uint32_t ceremony_power() const { return ceremony_power_; }
    // Sections 12..15 present (all four, with the right sizes).
    bool prepared() const { return prepared_; }
    // The count in section 7.
    uint32_t n_contributions() const { return n_contributions_; }
    const BinFile& file() const { return file_; }

    // Number of points in a section (0 for an absent Lagrange section).
    uint64_t point_count(PTauSection s) const;
    static bool is_g2(PTauSection s);

    // Points [first, first + count) of a section, copied and validated (canonical, on the
    // curve; G2 optionally also in the subgroup). FormatError naming the section and index on
    // bad points, when the section is G2/G1 but the other kind was asked for, or when the range
    // is outside the section (or the Lagrange section is absent).
    std::vector<math::G1Affine> g1_points(PTauSection s, uint64_t first, uint64_t count) const;
    std::vector<math::G2Affine> g2_points(PTauSection s, uint64_t first, uint64_t count,
                                          G2Check check = G2Check::on_curve) const;

    // Convenience: the size-2^log_size block of a Lagrange section (G1 sections).
    std::vector<math::G1Affine> lagrange_g1(PTauSection s, uint32_t log_size) const;
    std::vector<math::G2Affine> lagrange_g2(uint32_t log_size, G2Check check = G2Check::on_curve) const;

private:
    std::span<const uint8_t> range(PTauSection s, uint64_t first, uint64_t count, bool g2) const;
    BinFile file_;
    uint32_t power_ = 0, ceremony_power_ = 0, n_contributions_ = 0;
    bool prepared_ = false;
};

// Multi-line human-readable summary.
std::string ptau_info(const std::string& path);

}  // namespace provernet::snark
