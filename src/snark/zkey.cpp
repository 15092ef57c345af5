#include "snark/zkey.hpp"

#include "snark/binfile.hpp"

#include <cstring>
#include <limits>
#include <mutex>

namespace provernet::snark {

using math::Fq;
using math::Fr;
using math::G1Affine;
using math::G2Affine;
using math::U256;

namespace {

enum : uint32_t {
    kProtocol = 1,
    kHeader = 2,
    kIC = 3,
    kCoefs = 4,
    kA = 5,
    kB1 = 6,
    kB2 = 7,
    kC = 8,
    kH = 9,
    kContributions = 10,
};
constexpr uint32_t kGroth16 = 1;
constexpr uint64_t kHeaderBytes = 4 + 32 + 4 + 32 + 4 * 3 + 64 * 3 + 128 * 3;  // 660
constexpr uint64_t kCoefBytes = 12 + 32;
constexpr uint32_t kMaxDomainLog2 = 28;
constexpr uint64_t kContributionFixedBytes = 64 * 3 + 128 + 64 + 4 + 4;

std::string_view zkey_section_name(uint32_t type)
{
    switch (type) {
    case kProtocol:
        return "protocol";
    case kHeader:
        return "Groth16 header";
    case kIC:
        return "IC";
    case kCoefs:
        return "coefficients";
    case kA:
        return "A";
    case kB1:
        return "B1";
    case kB2:
        return "B2";
    case kC:
        return "C";
    case kH:
        return "H";
    case kContributions:
        return "contributions";
    default:
        return "";
    }
}

std::string label(uint32_t type) { return section_label(type, zkey_section_name(type)); }

struct Layout {
    BinFile file;
    ZKeyHeader header;
    std::span<const uint8_t> ic, coefs, a, b1, b2, c, h;
    std::optional<std::span<const uint8_t>> contributions;
};

void header_point(const std::string& path, const char* name, SectionReader& rd, G1Affine& out)
{
    load_g1_points(path, label(kHeader) + ": " + name, rd.bytes(64).data(), 1, &out);
}
void header_point(const std::string& path, const char* name, SectionReader& rd, G2Affine& out)
{
    load_g2_points(path, label(kHeader) + ": " + name, rd.bytes(128).data(), 1, &out, G2Check::subgroup);
}

uint32_t count_contributions(const std::string& path, std::span<const uint8_t> bytes)
{
    SectionReader rd(path, label(kContributions), bytes);
    rd.skip(64);  // circuit hash
    const uint32_t n = rd.u32();
    if (uint64_t(n) * kContributionFixedBytes > rd.remaining())
        rd.fail("declares " + std::to_string(n) + " contributions, more than its " + std::to_string(rd.size()) +
                " bytes can hold");
    for (uint32_t i = 0; i < n; ++i) {
        rd.skip(64 * 3 + 128 + 64);  // deltaAfter, g1_s, g1_sx, g2_spx, transcript
        (void)rd.u32();              // type: 0 contribution, 1 beacon
        const uint32_t param_len = rd.u32();
        if (param_len > rd.remaining())
            rd.fail("contribution " + std::to_string(i) + " declares " + std::to_string(param_len) +
                    " parameter bytes, only " + std::to_string(rd.remaining()) + " left");
        rd.skip(param_len);
    }
    rd.expect_end();
    return n;
}

// Parses sections 1 and 2 and checks every other section's size against the header, so that no
// allocation is ever sized by an unchecked count.
Layout parse_layout(const std::string& path)
{
    Layout L{BinFile::open(path, "zkey", 1, 1), {}, {}, {}, {}, {}, {}, {}, {}, {}};
    const BinFile& f = L.file;
    ZKeyHeader& h = L.header;
    h.version = f.version();

    {
        SectionReader rd(f, kProtocol, zkey_section_name(kProtocol));
        const uint32_t protocol = rd.u32();
        rd.expect_end();
        if (protocol != kGroth16) {
            const char* name = protocol == 2 ? " (PLONK)" : protocol == 10 ? " (FFLONK)" : "";
            rd.fail("protocol " + std::to_string(protocol) + name + " is not supported; only Groth16 (1)");
        }
    }
    {
        SectionReader rd(f, kHeader, zkey_section_name(kHeader));
        read_bn254_prime(rd, Bn254Field::q, "q");
        read_bn254_prime(rd, Bn254Field::r, "r");
        if (rd.size() != kHeaderBytes)
            rd.fail("size mismatch: " + std::to_string(rd.size()) + " bytes, a BN254 Groth16 header is " +
                    std::to_string(kHeaderBytes));
        h.n_vars = rd.u32();
        h.n_public = rd.u32();
        h.domain_size = rd.u32();
        if (uint64_t(h.n_public) + 1 > h.n_vars)
            rd.fail("nPublic + 1 = " + std::to_string(uint64_t(h.n_public) + 1) + " exceeds nVars = " +
                    std::to_string(h.n_vars));
        if (h.domain_size == 0 || (h.domain_size & (h.domain_size - 1)) != 0)
            rd.fail("domainSize " + std::to_string(h.domain_size) + " is not a power of two");
        h.domain_log2 = uint32_t(__builtin_ctz(h.domain_size));
        if (h.domain_log2 > kMaxDomainLog2)
            rd.fail("domainSize 2^" + std::to_string(h.domain_log2) + " exceeds the BN254 maximum 2^28");
        if (uint64_t(h.n_public) + 1 > h.domain_size)
            rd.fail("domainSize " + std::to_string(h.domain_size) + " is smaller than nPublic + 1 = " +
                    std::to_string(uint64_t(h.n_public) + 1));
        header_point(path, "alpha1", rd, h.alpha1);
        header_point(path, "beta1", rd, h.beta1);
        header_point(path, "beta2", rd, h.beta2);
        header_point(path, "gamma2", rd, h.gamma2);
        header_point(path, "delta1", rd, h.delta1);
        header_point(path, "delta2", rd, h.delta2);
        rd.expect_end();
    }

    auto sized = [&](uint32_t type, uint64_t count, uint64_t point_bytes, const char* what) {
        const auto s = f.section(type, zkey_section_name(type));
        if (s.size() != count * point_bytes)
            f.fail(label(type) + " is " + std::to_string(s.size()) + " bytes, expected " + std::to_string(count) +
                   " " + what + " x " + std::to_string(point_bytes) + " = " + std::to_string(count * point_bytes) +
                   " bytes");
        return s;
    };
    const uint64_t n_vars = h.n_vars, n_public = h.n_public, n = h.domain_size;
    L.ic = sized(kIC, n_public + 1, 64, "(nPublic + 1) G1 points");
    L.a = sized(kA, n_vars, 64, "(nVars) G1 points");
    L.b1 = sized(kB1, n_vars, 64, "(nVars) G1 points");
    L.b2 = sized(kB2, n_vars, 128, "(nVars) G2 points");
    L.c = sized(kC, n_vars - n_public - 1, 64, "(nVars - nPublic - 1) G1 points");
    L.h = sized(kH, n, 64, "(domainSize) G1 points");
    {
        SectionReader rd(f, kCoefs, zkey_section_name(kCoefs));
        h.n_coefs = rd.u32();
        rd.expect_remaining(uint64_t(h.n_coefs) * kCoefBytes,
                            std::to_string(h.n_coefs) + " coefficients x " + std::to_string(kCoefBytes) + " bytes");
        L.coefs = rd.bytes(rd.remaining());
    }
    L.contributions = f.optional_section(kContributions, zkey_section_name(kContributions));
    if (L.contributions)
        h.n_contributions = count_contributions(path, *L.contributions);
    return L;
}

void load_coefs(const Layout& L, std::vector<ZKeyCoef>& out)
{
    const ZKeyHeader& h = L.header;
    out.resize(h.n_coefs);
    std::mutex m;
    size_t bad_index = std::numeric_limits<size_t>::max();
    std::string bad_msg;
    parallel_for(h.n_coefs, 16384, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            const uint8_t* p = L.coefs.data() + i * kCoefBytes;
            ZKeyCoef& c = out[i];
            c.matrix = load_u32(p);
            c.constraint = load_u32(p + 4);
            c.signal = load_u32(p + 8);
            const U256 v = U256::from_le_bytes(p + 12);
            std::string msg;
            if (c.matrix > 1)
                msg = "matrix " + std::to_string(c.matrix) + " (must be 0 = A or 1 = B)";
            else if (c.constraint >= h.domain_size)
                msg = "constraint " + std::to_string(c.constraint) + " >= domainSize " + std::to_string(h.domain_size);
            else if (c.signal >= h.n_vars)
                msg = "signal " + std::to_string(c.signal) + " >= nVars " + std::to_string(h.n_vars);
            else if (v >= Fr::modulus)
                msg = "value is not canonical (>= r)";
            if (!msg.empty()) {
                std::lock_guard lock(m);
                if (i < bad_index) {
                    bad_index = i;
                    bad_msg = std::move(msg);
                }
                return;
            }
            c.value = Fr::from_raw(v);
        }
    });
    if (!bad_msg.empty())
        L.file.fail(label(kCoefs) + ": coefficient " + std::to_string(bad_index) + ": " + bad_msg);
}

}  // namespace

ZKeyHeader read_zkey_header(const std::string& path) { return parse_layout(path).header; }

ZKey read_zkey(const std::string& path)
{
    const Layout L = parse_layout(path);
    const ZKeyHeader& h = L.header;
    ZKey z;
    z.path = path;
    z.header = h;

    auto g1 = [&](uint32_t type, std::span<const uint8_t> bytes, std::vector<G1Affine>& out) {
        out.resize(bytes.size() / 64);
        load_g1_points(path, label(type), bytes.data(), out.size(), out.data());
    };
    g1(kIC, L.ic, z.ic);
    load_coefs(L, z.coefs);
    g1(kA, L.a, z.a);
    g1(kB1, L.b1, z.b1);
    z.b2.resize(L.b2.size() / 128);
    load_g2_points(path, label(kB2), L.b2.data(), z.b2.size(), z.b2.data(), G2Check::on_curve);
    g1(kC, L.c, z.c);
    g1(kH, L.h, z.h);
    if (L.contributions)
        z.contributions.assign(L.contributions->begin(), L.contributions->end());
    return z;
}

void check_g2_subgroup(const ZKey& zkey)
{
    if (auto bad = find_g2_outside_subgroup(zkey.b2))
        throw FormatError(zkey.path, label(kB2) + " point " + std::to_string(*bad) + " is not in the G2 subgroup");
}

void write_zkey(const std::string& path, const ZKey& z)
{
    const ZKeyHeader& h = z.header;
    auto bad = [&](const std::string& why) { throw FormatError(path, "cannot write an inconsistent zkey: " + why); };
    const uint64_t n_vars = h.n_vars, n_public = h.n_public;
    if (n_public + 1 > n_vars)
        bad("n_public + 1 > n_vars");
    if (h.domain_size == 0 || (h.domain_size & (h.domain_size - 1)) != 0 || h.domain_size > (1u << kMaxDomainLog2))
        bad("domain_size is not a power of two <= 2^28");
    auto want = [&](const char* name, size_t have, uint64_t expected) {
        if (have != expected)
            bad(std::string(name) + " has " + std::to_string(have) + " entries, expected " + std::to_string(expected));
    };
    want("ic", z.ic.size(), n_public + 1);
    want("a", z.a.size(), n_vars);
    want("b1", z.b1.size(), n_vars);
    want("b2", z.b2.size(), n_vars);
    want("c", z.c.size(), n_vars - n_public - 1);
    want("h", z.h.size(), h.domain_size);
    if (z.coefs.size() > std::numeric_limits<uint32_t>::max())
        bad("too many coefficients");
    for (size_t i = 0; i < z.coefs.size(); ++i) {
        const ZKeyCoef& c = z.coefs[i];
        if (c.matrix > 1 || c.constraint >= h.domain_size || c.signal >= h.n_vars)
            bad("coefficient " + std::to_string(i) + " is out of range");
    }

    BinWriter out(path, "zkey", 1);
    out.begin_section(kProtocol);
    out.u32(kGroth16);
    out.end_section();

    out.begin_section(kHeader);
    out.u32(32);
    out.u256(Fq::modulus);
    out.u32(32);
    out.u256(Fr::modulus);
    out.u32(h.n_vars);
    out.u32(h.n_public);
    out.u32(h.domain_size);
    out.bytes(&h.alpha1, 64);
    out.bytes(&h.beta1, 64);
    out.bytes(&h.beta2, 128);
    out.bytes(&h.gamma2, 128);
    out.bytes(&h.delta1, 64);
    out.bytes(&h.delta2, 128);
    out.end_section();

    out.begin_section(kIC);
    out.bytes(z.ic.data(), z.ic.size() * 64);
    out.end_section();

    out.begin_section(kCoefs);
    out.u32(uint32_t(z.coefs.size()));
    for (const ZKeyCoef& c : z.coefs) {
        out.u32(c.matrix);
        out.u32(c.constraint);
        out.u32(c.signal);
        out.bytes(c.value.v, 32);
    }
    out.end_section();

    auto points = [&](uint32_t type, const void* data, size_t bytes) {
        out.begin_section(type);
        out.bytes(data, bytes);
        out.end_section();
    };
    points(kA, z.a.data(), z.a.size() * 64);
    points(kB1, z.b1.data(), z.b1.size() * 64);
    points(kB2, z.b2.data(), z.b2.size() * 128);
    points(kC, z.c.data(), z.c.size() * 64);
    points(kH, z.h.data(), z.h.size() * 64);

    out.begin_section(kContributions);
    if (z.contributions.empty()) {
        out.zeros(64);
        out.u32(0);
    } else {
        out.bytes(z.contributions.data(), z.contributions.size());
    }
    out.end_section();
    out.finish();
}

std::string zkey_info(const std::string& path)
{
    const Layout L = parse_layout(path);
    const ZKeyHeader& h = L.header;
    std::string s;
    s += "Groth16 proving key (.zkey) " + path + "\n";
    s += "  file size:       " + format_size(L.file.file_size()) + "\n";
    s += "  version:         " + std::to_string(h.version) + "\n";
    s += "  protocol:        groth16\n";
    s += "  curve:           bn128 (q = " + Fq::modulus.to_decimal() + ")\n";
    s += "  nVars:           " + std::to_string(h.n_vars) + "\n";
    s += "  nPublic:         " + std::to_string(h.n_public) + "\n";
    s += "  domainSize:      " + std::to_string(h.domain_size) + " (2^" + std::to_string(h.domain_log2) + ")\n";
    s += "  nCoefs:          " + std::to_string(h.n_coefs) + "\n";
    s += "  contributions:   " +
         (L.contributions ? std::to_string(h.n_contributions) : std::string("section absent")) + "\n";
    s += "  sections:        " + describe_sections(L.file, zkey_section_name) + "\n";
    return s;
}

}  // namespace provernet::snark
