#include "snark/ptau.hpp"

namespace provernet::snark {

using math::Fq;
using math::G1Affine;
using math::G2Affine;

namespace {

constexpr uint32_t kHeader = 1, kContributions = 7;

std::string_view ptau_section_name(uint32_t type)
{
    switch (type) {
    case kHeader:
        return "header";
    case 2:
        return "tauG1";
    case 3:
        return "tauG2";
    case 4:
        return "alphaTauG1";
    case 5:
        return "betaTauG1";
    case 6:
        return "betaG2";
    case kContributions:
        return "contributions";
    case 12:
        return "lagrange tauG1";
    case 13:
        return "lagrange tauG2";
    case 14:
        return "lagrange alphaTauG1";
    case 15:
        return "lagrange betaTauG1";
    default:
        return "";
    }
}

std::string label(uint32_t type) { return section_label(type, ptau_section_name(type)); }

uint64_t expected_points(uint32_t type, uint32_t power)
{
    const uint64_t n = uint64_t(1) << power;
    switch (type) {
    case 2:
        return 2 * n - 1;
    case 3:
    case 4:
    case 5:
        return n;
    case 6:
        return 1;
    case 12:
        return 4 * n - 1;
    case 13:
    case 14:
    case 15:
        return 2 * n - 1;
    default:
        return 0;
    }
}

}  // namespace

bool PTau::is_g2(PTauSection s)
{
    return s == PTauSection::tau_g2 || s == PTauSection::beta_g2 || s == PTauSection::lagrange_tau_g2;
}

PTau PTau::open(const std::string& path)
{
    PTau p;
    p.file_ = BinFile::open(path, "ptau", 1, 1);
    const BinFile& f = p.file_;
    f.reject_duplicates({1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15});
    {
        SectionReader rd(f, kHeader, ptau_section_name(kHeader));
        read_bn254_prime(rd, Bn254Field::q, "q");
        p.power_ = rd.u32();
        p.ceremony_power_ = rd.u32();
        rd.expect_end();
        if (p.power_ > kMaxPower)
            rd.fail("power " + std::to_string(p.power_) + " exceeds the BN254 maximum " + std::to_string(kMaxPower));
        if (p.ceremony_power_ < p.power_ || p.ceremony_power_ > kMaxPower)
            rd.fail("ceremonyPower " + std::to_string(p.ceremony_power_) + " is outside [power = " +
                    std::to_string(p.power_) + ", " + std::to_string(kMaxPower) + "]");
    }
    auto check_size = [&](uint32_t type, std::span<const uint8_t> s) {
        const uint64_t pt = (type == 3 || type == 6 || type == 13) ? 128 : 64;
        const uint64_t want = expected_points(type, p.power_) * pt;
        if (s.size() != want)
            f.fail(label(type) + " is " + std::to_string(s.size()) + " bytes, expected " +
                   std::to_string(expected_points(type, p.power_)) + " points x " + std::to_string(pt) + " = " +
                   std::to_string(want) + " bytes for power " + std::to_string(p.power_));
    };
    for (uint32_t t = 2; t <= 6; ++t)
        check_size(t, f.section(t, ptau_section_name(t)));
    {
        SectionReader rd(f, kContributions, ptau_section_name(kContributions));
        p.n_contributions_ = rd.u32();
    }
    int lagrange = 0;
    for (uint32_t t = 12; t <= 15; ++t)
        if (auto s = f.optional_section(t, ptau_section_name(t))) {
            check_size(t, *s);
            ++lagrange;
        }
    if (lagrange != 0 && lagrange != 4) {
        for (uint32_t t = 12; t <= 15; ++t)
            if (!f.has(t))
                f.fail("partially prepared for phase 2: " + label(t) + " is missing");
    }
    p.prepared_ = lagrange == 4;
    return p;
}

uint64_t PTau::point_count(PTauSection s) const
{
    const uint32_t t = uint32_t(s);
    if (t >= 12 && !prepared_)
        return 0;
    return expected_points(t, power_);
}

std::span<const uint8_t> PTau::range(PTauSection s, uint64_t first, uint64_t count, bool g2) const
{
    const uint32_t t = uint32_t(s);
    if (expected_points(t, power_) == 0)
        file_.fail("section " + std::to_string(t) + " is not a ptau point section");
    if (is_g2(s) != g2)
        file_.fail(label(t) + " holds " + (is_g2(s) ? "G2" : "G1") + " points, not " + (g2 ? "G2" : "G1"));
    const auto bytes = file_.optional_section(t, ptau_section_name(t));
    if (!bytes)
        file_.fail(label(t) + " is missing (the file is not prepared for phase 2)");
    const uint64_t n = point_count(s);
    if (first > n || count > n - first)
        file_.fail(label(t) + ": " + std::to_string(count) + " points from index " + std::to_string(first) +
                   " are outside its " + std::to_string(n) + " points");
    const uint64_t pt = g2 ? 128 : 64;
    return bytes->subspan(size_t(first * pt), size_t(count * pt));
}

std::vector<G1Affine> PTau::g1_points(PTauSection s, uint64_t first, uint64_t count) const
{
    const auto bytes = range(s, first, count, false);
    std::vector<G1Affine> out(static_cast<size_t>(count));
    load_g1_points(path(), label(uint32_t(s)), bytes.data(), size_t(count), out.data(), first);
    return out;
}

std::vector<G2Affine> PTau::g2_points(PTauSection s, uint64_t first, uint64_t count, G2Check check) const
{
    const auto bytes = range(s, first, count, true);
    std::vector<G2Affine> out(static_cast<size_t>(count));
    load_g2_points(path(), label(uint32_t(s)), bytes.data(), size_t(count), out.data(), check, first);
    return out;
}

std::vector<G1Affine> PTau::lagrange_g1(PTauSection s, uint32_t log_size) const
{
    const uint32_t max_log = s == PTauSection::lagrange_tau_g1 ? power_ + 1 : power_;
    if (s != PTauSection::lagrange_tau_g1 && s != PTauSection::lagrange_alpha_tau_g1 &&
        s != PTauSection::lagrange_beta_tau_g1)
        file_.fail("section " + std::to_string(uint32_t(s)) + " is not a G1 Lagrange section");
    if (log_size > max_log)
        file_.fail(label(uint32_t(s)) + " has no size-2^" + std::to_string(log_size) + " block (power " +
                   std::to_string(power_) + ")");
    const uint64_t n = uint64_t(1) << log_size;
    return g1_points(s, n - 1, n);
}

std::vector<G2Affine> PTau::lagrange_g2(uint32_t log_size, G2Check check) const
{
    if (log_size > power_)
        file_.fail(label(13) + " has no size-2^" + std::to_string(log_size) + " block (power " +
                   std::to_string(power_) + ")");
    const uint64_t n = uint64_t(1) << log_size;
    return g2_points(PTauSection::lagrange_tau_g2, n - 1, n, check);
}

std::string ptau_info(const std::string& path)
{
    const PTau p = PTau::open(path);
    std::string s;
    s += "powers of tau (.ptau) " + path + "\n";
    s += "  file size:       " + format_size(p.file().file_size()) + "\n";
    s += "  version:         " + std::to_string(p.file().version()) + "\n";
    s += "  curve:           bn128 (q = " + Fq::modulus.to_decimal() + ")\n";
    s += "  power:           " + std::to_string(p.power()) + " (2^" + std::to_string(p.power()) + " = " +
         std::to_string(uint64_t(1) << p.power()) + " powers; Groth16 domains up to 2^" + std::to_string(p.power()) +
         ")\n";
    s += "  ceremony power:  " + std::to_string(p.ceremony_power()) + "\n";
    s += "  contributions:   " + std::to_string(p.n_contributions()) + "\n";
    s += "  phase 2 ready:   " +
         std::string(p.prepared() ? "yes (Lagrange sections 12-15 present)"
                                  : "no (run `snarkjs powersoftau prepare phase2` first)") +
         "\n";
    s += "  sections:        " + describe_sections(p.file(), ptau_section_name) + "\n";
    return s;
}

}  // namespace provernet::snark
