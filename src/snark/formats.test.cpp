// Tests of the binary formats: the binfile container, .wtns, .r1cs, .zkey, .ptau and
// describe_file. Every file is built here (by the writers or by hand) in a mkdtemp directory.
#include "snark/testing/temp_dir.hpp"
#include "snark/binfile.hpp"
#include "snark/ptau.hpp"
#include "snark/r1cs.hpp"
#include "snark/wtns.hpp"
#include "snark/zkey.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

using namespace provernet::math;
using namespace provernet::snark;

namespace {

// ------------------------------------------------------------------------------------------
// Helpers

using provernet::testing::TempDir;

std::vector<uint8_t> read_bytes(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& b)
{
    // Unlink first: rewriting a truncated file makes ext4 flush it (auto_da_alloc), which is slow.
    std::filesystem::remove(path);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

// Runs f, which must throw FormatError; returns its message ("" and a test failure otherwise).
std::string format_error_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const FormatError& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.find('\n'), std::string::npos) << "message is not one line: " << m;
        return m;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected FormatError, got another exception: " << e.what();
        return "";
    }
    ADD_FAILURE() << "expected FormatError, nothing thrown";
    return "";
}

#define EXPECT_FORMAT_ERROR(stmt, substring)                                                                 \
    do {                                                                                                     \
        const std::string msg_ = format_error_of([&] { stmt; });                                            \
        EXPECT_NE(msg_.find(substring), std::string::npos) << "message: \"" << msg_ << "\"\nwanted: \""      \
                                                           << (substring) << "\"";                          \
    } while (0)

// Raw byte builder.
struct Bytes {
    std::vector<uint8_t> b;
    Bytes& u32(uint32_t v)
    {
        raw(&v, 4);
        return *this;
    }
    Bytes& u64(uint64_t v)
    {
        raw(&v, 8);
        return *this;
    }
    Bytes& u256(const U256& v)
    {
        uint8_t t[32];
        v.to_le_bytes(t);
        raw(t, 32);
        return *this;
    }
    Bytes& raw(const void* p, size_t n)
    {
        const auto* c = static_cast<const uint8_t*>(p);
        b.insert(b.end(), c, c + n);
        return *this;
    }
};

struct Section {
    uint32_t type;
    std::vector<uint8_t> payload;
};

std::vector<uint8_t> container(const char* magic, uint32_t version, const std::vector<Section>& sections)
{
    Bytes out;
    out.raw(magic, 4).u32(version).u32(uint32_t(sections.size()));
    for (const Section& s : sections) {
        out.u32(s.type).u64(s.payload.size());
        out.raw(s.payload.data(), s.payload.size());
    }
    return out.b;
}

// Splits a well-formed container (test input) back into its sections.
std::vector<Section> split(const std::vector<uint8_t>& file)
{
    std::vector<Section> out;
    uint32_t n;
    std::memcpy(&n, file.data() + 8, 4);
    size_t pos = 12;
    for (uint32_t i = 0; i < n; ++i) {
        Section s;
        uint64_t size;
        std::memcpy(&s.type, file.data() + pos, 4);
        std::memcpy(&size, file.data() + pos + 4, 8);
        s.payload.assign(file.begin() + long(pos + 12), file.begin() + long(pos + 12 + size));
        out.push_back(std::move(s));
        pos += 12 + size;
    }
    return out;
}

Section& find(std::vector<Section>& secs, uint32_t type)
{
    for (Section& s : secs)
        if (s.type == type)
            return s;
    throw std::runtime_error("no section " + std::to_string(type));
}

void put_u32(std::vector<uint8_t>& b, size_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }
void put_u256(std::vector<uint8_t>& b, size_t off, const U256& v) { v.to_le_bytes(b.data() + off); }

// n distinct G1 points k*G, k = seed, seed+1, ...
std::vector<G1Affine> g1_points(size_t n, uint64_t seed)
{
    std::vector<G1> jac(n);
    G1 p = G1::generator().mul(U256(seed));
    const G1Affine g = G1Affine::generator();
    for (size_t i = 0; i < n; ++i) {
        jac[i] = p;
        p = p.add_mixed(g);
    }
    std::vector<G1Affine> out(n);
    batch_to_affine(jac.data(), out.data(), n);
    return out;
}

std::vector<G2Affine> g2_points(size_t n, uint64_t seed)
{
    std::vector<G2> jac(n);
    G2 p = G2::generator().mul(U256(seed));
    const G2Affine g = G2Affine::generator();
    for (size_t i = 0; i < n; ++i) {
        jac[i] = p;
        p = p.add_mixed(g);
    }
    std::vector<G2Affine> out(n);
    batch_to_affine(jac.data(), out.data(), n);
    return out;
}

// Square root in Fq2 (p = 3 mod 4; Adj & Rodriguez-Henriquez, Algorithm 9), nullopt for
// non-squares.
std::optional<Fq2> fq2_sqrt(const Fq2& a)
{
    U256 e1, e2;
    U256::sub(e1, Fq::modulus, U256(3));
    e1 = e1.shr1().shr1();  // (p - 3) / 4
    U256::sub(e2, Fq::modulus, U256(1));
    e2 = e2.shr1();  // (p - 1) / 2
    const Fq2 a1 = a.pow(e1);
    const Fq2 alpha = a1.square() * a;
    const Fq2 x0 = a1 * a;
    const Fq2 minus_one = -Fq2::one();
    Fq2 x;
    if (alpha == minus_one)
        x = Fq2{Fq::zero(), Fq::one()} * x0;
    else
        x = (Fq2::one() + alpha).pow(e2) * x0;
    if (!(x.square() == a))
        return std::nullopt;
    return x;
}

// A point on the twist that is not in the order-r subgroup.
G2Affine g2_outside_subgroup()
{
    for (uint64_t i = 1;; ++i) {
        const Fq2 x{Fq::from_uint(i), Fq::from_uint(1)};
        if (auto y = fq2_sqrt(x.square() * x + G2Params::b())) {
            const G2Affine p{x, *y};
            if (p.is_on_curve() && !p.is_valid())
                return p;
        }
    }
}

Fr fr_from(uint64_t v) { return Fr::from_uint(v); }

U256 r_minus(uint64_t k)
{
    U256 v;
    U256::sub(v, Fr::modulus, U256(k));
    return v;
}

// Every prefix of `file` (shorter than the whole) must be rejected with a FormatError.
void expect_every_truncation_rejected(const std::string& path, const std::vector<uint8_t>& file,
                                      const std::function<void()>& read)
{
    for (size_t len = 0; len < file.size(); ++len) {
        write_bytes(path, std::vector<uint8_t>(file.begin(), file.begin() + long(len)));
        bool threw = false;
        try {
            read();
        } catch (const FormatError&) {
            threw = true;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "truncation to " << len << " bytes: wrong exception " << e.what();
            return;
        }
        if (!threw) {
            ADD_FAILURE() << "truncation to " << len << " of " << file.size() << " bytes was accepted";
            return;
        }
    }
}

// Flipping any single byte must give either a successful read or a FormatError, never a crash or
// another exception.
void expect_byte_flips_safe(const std::string& path, const std::vector<uint8_t>& file,
                            const std::function<void()>& read, size_t stride = 1)
{
    for (size_t i = 0; i < file.size(); i += stride) {
        for (const uint8_t mask : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
            auto b = file;
            b[i] ^= mask;
            write_bytes(path, b);
            try {
                read();
            } catch (const FormatError&) {
            } catch (const std::exception& e) {
                ADD_FAILURE() << "flip of byte " << i << ": wrong exception " << e.what();
                return;
            }
        }
    }
}

}  // namespace

// ==========================================================================================
// binfile container

TEST(BinFile, ParsesSectionsInAnyOrderAndIgnoresUnknownOnes)
{
    const auto bytes = container("test", 3, {{5, {1, 2, 3}}, {1, {}}, {99, {7}}, {2, {9, 9, 9, 9}}});
    const BinFile f = BinFile::parse(MappedFile::from_bytes("t.bin", bytes), "test", 1, 3);
    EXPECT_EQ(f.version(), 3u);
    ASSERT_EQ(f.sections().size(), 4u);
    EXPECT_EQ(f.section(5, "five").size(), 3u);
    EXPECT_EQ(f.section(5, "five")[2], 3);
    EXPECT_EQ(f.section(1, "one").size(), 0u);
    EXPECT_EQ(f.section(2, "two").size(), 4u);
    EXPECT_TRUE(f.has(99));
    EXPECT_FALSE(f.optional_section(42, "x").has_value());
    EXPECT_FORMAT_ERROR(f.section(42, "answer"), "t.bin: section 42 (answer) is missing");
}

TEST(BinFile, RejectsBadContainers)
{
    auto parse = [](const std::vector<uint8_t>& b) {
        return BinFile::parse(MappedFile::from_bytes("x.zkey", b), "zkey", 1, 1);
    };
    EXPECT_FORMAT_ERROR(parse({}), "x.zkey: truncated: 0 bytes");
    EXPECT_FORMAT_ERROR(parse({'z', 'k'}), "truncated");
    EXPECT_FORMAT_ERROR(parse(container("wtns", 1, {})), "not a .zkey file (magic 'wtns', expected 'zkey')");
    EXPECT_FORMAT_ERROR(parse({0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0}), "magic 0x00010203");
    EXPECT_FORMAT_ERROR(parse({'z', 'k', 'e', 'y', 1, 0}), "too short for the file header");
    EXPECT_FORMAT_ERROR(parse(container("zkey", 2, {})), "unsupported .zkey version 2 (supported: 1)");
    EXPECT_FORMAT_ERROR(parse(container("zkey", 0, {})), "unsupported .zkey version 0");

    // A huge section count with no room for it.
    auto b = container("zkey", 1, {{1, {1, 0, 0, 0}}});
    put_u32(b, 8, 0xffffffffu);
    EXPECT_FORMAT_ERROR(parse(b), "declares 4294967295 sections");
    // A section size that runs past the end (and one that would overflow 64-bit arithmetic).
    b = container("zkey", 1, {{1, {1, 0, 0, 0}}});
    b[16] = 5;
    EXPECT_FORMAT_ERROR(parse(b), "section 1 declares 5 bytes but only 4 remain");
    for (int i = 0; i < 8; ++i)
        b[16 + i] = 0xff;
    EXPECT_FORMAT_ERROR(parse(b), "declares 18446744073709551615 bytes");
    // Trailing garbage.
    b = container("zkey", 1, {{1, {1, 0, 0, 0}}});
    b.push_back(0);
    EXPECT_FORMAT_ERROR(parse(b), "1 unexpected trailing bytes");
    // Duplicates are reported when the section is used.
    const BinFile dup = parse(container("zkey", 1, {{1, {}}, {1, {}}}));
    EXPECT_FORMAT_ERROR(dup.section(1, "protocol"), "section 1 (protocol) appears more than once");
    EXPECT_FORMAT_ERROR(dup.reject_duplicates({1}), "appears more than once");
}

TEST(BinFile, OpenFailsCleanlyOnMissingOrSpecialFiles)
{
    TempDir dir("formats");
    EXPECT_FORMAT_ERROR(BinFile::open(dir.file("nope.zkey"), "zkey", 1, 1), "nope.zkey: cannot open");
    EXPECT_FORMAT_ERROR(BinFile::open(dir.path, "zkey", 1, 1), "not a regular file");
    write_bytes(dir.file("empty.zkey"), {});
    EXPECT_FORMAT_ERROR(BinFile::open(dir.file("empty.zkey"), "zkey", 1, 1), "truncated: 0 bytes");
}

TEST(BinFile, SectionReaderIsBoundsChecked)
{
    const std::vector<uint8_t> data{1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9};
    SectionReader rd("f.bin", "section 3 (x)", data);
    EXPECT_EQ(rd.u32(), 1u);
    EXPECT_EQ(rd.u64(), 2u);
    EXPECT_EQ(rd.remaining(), 1u);
    EXPECT_FORMAT_ERROR(rd.expect_end(), "f.bin: section 3 (x): 1 unexpected trailing bytes");
    EXPECT_FORMAT_ERROR(rd.u32(), "section 3 (x): truncated: needs 4 more bytes at offset 12, only 1 left");
    EXPECT_FORMAT_ERROR(rd.bytes(~uint64_t(0)), "truncated");
}

TEST(BinFile, WriterRoundTripsAndPatchesSizes)
{
    TempDir dir("formats");
    const std::string path = dir.file("w.bin");
    {
        BinWriter w(path, "abcd", 7);
        w.begin_section(4);
        w.u32(0xdeadbeef);
        w.u256(U256(1, 2, 3, 4));
        w.end_section();
        w.begin_section(9);
        w.end_section();
        w.begin_section(2);
        w.zeros(5000);
        w.end_section();
        w.finish();
    }
    const BinFile f = BinFile::open(path, "abcd", 7, 7);
    ASSERT_EQ(f.sections().size(), 3u);
    SectionReader rd(f, 4, "four");
    EXPECT_EQ(rd.u32(), 0xdeadbeefu);
    EXPECT_EQ(rd.u256(), U256(1, 2, 3, 4));
    rd.expect_end();
    EXPECT_EQ(f.section(9, "").size(), 0u);
    EXPECT_EQ(f.section(2, "").size(), 5000u);
    // An unfinished writer leaves nothing behind.
    {
        BinWriter w(dir.file("unfinished.bin"), "abcd", 1);
        w.begin_section(1);
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("unfinished.bin")));
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 1);
    EXPECT_FORMAT_ERROR(BinWriter(dir.file("no/such/dir/x.bin"), "abcd", 1), "cannot create");
}

TEST(BinFile, PointLoadingValidatesEveryPointInParallel)
{
    // Enough points for several threads; bad points in different chunks: the lowest index wins.
    auto pts = g1_points(40000, 3);
    pts[123] = G1Affine::infinity();
    std::vector<G1Affine> out(pts.size());
    load_g1_points("f", "section 9 (H)", reinterpret_cast<const uint8_t*>(pts.data()), pts.size(), out.data());
    EXPECT_EQ(std::memcmp(out.data(), pts.data(), pts.size() * sizeof(G1Affine)), 0);

    auto bad = pts;
    bad[30001].y = bad[30001].x;    // off the curve
    bad[20002].x.v[3] = ~uint64_t(0);  // coordinate >= q
    EXPECT_FORMAT_ERROR(load_g1_points("f", "section 9 (H)", reinterpret_cast<const uint8_t*>(bad.data()), bad.size(),
                                       out.data()),
                        "f: section 9 (H) point 20002 has a coordinate >= q");
    bad[20002] = pts[20002];
    EXPECT_FORMAT_ERROR(load_g1_points("f", "section 9 (H)", reinterpret_cast<const uint8_t*>(bad.data()), bad.size(),
                                       out.data()),
                        "f: section 9 (H) point 30001 is not on the curve");
    EXPECT_FORMAT_ERROR(load_g1_points("f", "tauG1", reinterpret_cast<const uint8_t*>(bad.data()), bad.size(),
                                       out.data(), 1000),
                        "tauG1 point 31001 is not on the curve");

    // G2: on-curve vs. subgroup.
    auto g2 = g2_points(8, 5);
    g2[6] = g2_outside_subgroup();
    std::vector<G2Affine> out2(g2.size());
    load_g2_points("f", "B2", reinterpret_cast<const uint8_t*>(g2.data()), g2.size(), out2.data(), G2Check::on_curve);
    EXPECT_FORMAT_ERROR(load_g2_points("f", "B2", reinterpret_cast<const uint8_t*>(g2.data()), g2.size(), out2.data(),
                                       G2Check::subgroup),
                        "B2 point 6 is not in the G2 subgroup");
    EXPECT_EQ(find_g2_outside_subgroup(g2), std::optional<size_t>(6));
    g2[6] = G2Affine::infinity();
    EXPECT_EQ(find_g2_outside_subgroup(g2), std::nullopt);
}

TEST(BinFile, ParallelForCoversTheRangeAndPropagatesExceptions)
{
    std::vector<int> hits(100000, 0);
    parallel_for(hits.size(), 1000, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i)
            ++hits[i];
    });
    for (int h : hits)
        ASSERT_EQ(h, 1);
    parallel_for(0, 1, [&](size_t, size_t) { FAIL(); });
    EXPECT_THROW(parallel_for(100000, 10, [](size_t b, size_t) {
                     if (b > 0)
                         throw std::runtime_error("boom");
                 }),
                 std::runtime_error);
}

// ==========================================================================================
// .wtns

TEST(Wtns, RoundTrip)
{
    TempDir dir("formats");
    const std::string path = dir.file("w.wtns");
    Witness w;
    w.values = {U256(1), U256(0), r_minus(1), U256(12345, 6, 7, 8)};
    write_wtns(path, w);
    const auto bytes = read_bytes(path);
    ASSERT_EQ(bytes.size(), 12 + 12 + 40 + 12 + 4 * 32u);
    EXPECT_EQ(std::memcmp(bytes.data(), "wtns", 4), 0);
    EXPECT_EQ(read_wtns(path).values, w.values);
    const WitnessHeader h = read_wtns_header(path);
    EXPECT_EQ(h.version, 2u);
    EXPECT_EQ(h.n_values, 4u);
    EXPECT_NE(wtns_info(path).find("witness values: 4"), std::string::npos);

    Witness empty;
    write_wtns(path, empty);
    EXPECT_TRUE(read_wtns(path).values.empty());
}

TEST(Wtns, WriterRejectsNonCanonicalValues)
{
    TempDir dir("formats");
    Witness w;
    w.values = {U256(1), Fr::modulus};
    EXPECT_FORMAT_ERROR(write_wtns(dir.file("w.wtns"), w), "witness value 1 is not canonical");
    EXPECT_FALSE(std::filesystem::exists(dir.file("w.wtns")));
}

TEST(Wtns, RejectsBadFiles)
{
    TempDir dir("formats");
    const std::string path = dir.file("w.wtns");
    Witness w;
    w.values = {U256(1), U256(2), U256(3)};
    write_wtns(path, w);
    const auto good = read_bytes(path);
    const auto secs = split(good);
    auto with = [&](const std::function<void(std::vector<Section>&)>& edit, uint32_t version = 2) {
        auto s = secs;
        edit(s);
        write_bytes(path, container("wtns", version, s));
    };

    with([](auto&) {}, 3);
    EXPECT_FORMAT_ERROR(read_wtns(path), "unsupported .wtns version 3");
    with([](auto& s) { put_u32(find(s, 1).payload, 0, 48); });
    EXPECT_FORMAT_ERROR(read_wtns(path), "field element size 48 bytes");
    with([](auto& s) { put_u256(find(s, 1).payload, 4, Fq::modulus); });
    EXPECT_FORMAT_ERROR(read_wtns(path), "BN254's base field q, expected its scalar field r");
    with([](auto& s) {
        put_u256(find(s, 1).payload, 4,
                 u256_from_hex_literal("0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"));
    });
    EXPECT_FORMAT_ERROR(read_wtns(path), "BLS12-381");
    with([](auto& s) { put_u256(find(s, 2).payload, 64, Fr::modulus); });
    EXPECT_FORMAT_ERROR(read_wtns(path), "w.wtns: section 2 (witness values): value 2 is not canonical (>= r)");
    with([](auto& s) { put_u32(find(s, 1).payload, 36, 0xffffffffu); });
    EXPECT_FORMAT_ERROR(read_wtns(path), "the header declares 4294967295 values");
    with([](auto& s) { find(s, 1).payload.push_back(0); });
    EXPECT_FORMAT_ERROR(read_wtns(path), "section 1 (header): 1 unexpected trailing bytes");
    with([](auto& s) { s.push_back(s[1]); });
    EXPECT_FORMAT_ERROR(read_wtns(path), "section 2 (witness values) appears more than once");
    with([](auto& s) { s.pop_back(); });
    EXPECT_FORMAT_ERROR(read_wtns(path), "section 2 (witness values) is missing");
    with([](auto& s) { std::swap(s[0], s[1]); s.push_back({77, {1, 2, 3}}); });
    EXPECT_EQ(read_wtns(path).values, w.values);  // any order, unknown sections ignored

    write_bytes(path, good);
    expect_every_truncation_rejected(path, good, [&] { read_wtns(path); });
    expect_byte_flips_safe(path, good, [&] { read_wtns(path); });
}

// ==========================================================================================
// .r1cs

namespace {

R1cs sample_r1cs()
{
    R1cs r;
    r.header = {6, 1, 1, 2, 9, 3};
    // w = [1, out, pub, a, b, t]: t = a * b, out = t * pub, a + b = 7 * 1
    r.constraints.resize(3);
    r.constraints[0] = {{{3, fr_from(1)}}, {{4, fr_from(1)}}, {{5, fr_from(1)}}};
    r.constraints[1] = {{{5, fr_from(1)}}, {{2, fr_from(1)}}, {{1, fr_from(1)}}};
    r.constraints[2] = {{{0, fr_from(7)}, {3, -fr_from(1)}, {4, -fr_from(1)}}, {{0, fr_from(1)}}, {}};
    r.wire_to_label = {0, 1, 2, 3, 4, 8};
    return r;
}

void expect_same(const R1cs& a, const R1cs& b)
{
    EXPECT_EQ(a.header.n_wires, b.header.n_wires);
    EXPECT_EQ(a.header.n_pub_out, b.header.n_pub_out);
    EXPECT_EQ(a.header.n_pub_in, b.header.n_pub_in);
    EXPECT_EQ(a.header.n_prv_in, b.header.n_prv_in);
    EXPECT_EQ(a.header.n_labels, b.header.n_labels);
    EXPECT_EQ(a.header.n_constraints, b.header.n_constraints);
    ASSERT_EQ(a.constraints.size(), b.constraints.size());
    for (size_t i = 0; i < a.constraints.size(); ++i) {
        EXPECT_EQ(a.constraints[i].a, b.constraints[i].a) << i;
        EXPECT_EQ(a.constraints[i].b, b.constraints[i].b) << i;
        EXPECT_EQ(a.constraints[i].c, b.constraints[i].c) << i;
    }
    EXPECT_EQ(a.wire_to_label, b.wire_to_label);
}

}  // namespace

TEST(R1cs, RoundTrip)
{
    TempDir dir("formats");
    const std::string path = dir.file("c.r1cs");
    const R1cs r = sample_r1cs();
    write_r1cs(path, r);
    expect_same(read_r1cs(path), r);
    const R1csHeader h = read_r1cs_header(path);
    EXPECT_EQ(h.n_wires, 6u);
    EXPECT_EQ(h.n_public(), 2u);
    const std::string info = r1cs_info(path);
    EXPECT_NE(info.find("constraints:     3"), std::string::npos) << info;
    EXPECT_NE(info.find("wires:           6"), std::string::npos) << info;

    // Coefficients are stored in normal form: the -1 of constraint 2 is r - 1 on disk.
    const auto bytes = read_bytes(path);
    std::vector<uint8_t> rm1(32);
    r_minus(1).to_le_bytes(rm1.data());
    EXPECT_NE(std::search(bytes.begin(), bytes.end(), rm1.begin(), rm1.end()), bytes.end());

    // An empty wire map is written as the identity.
    R1cs r2 = r;
    r2.wire_to_label.clear();
    write_r1cs(path, r2);
    EXPECT_EQ(read_r1cs(path).wire_to_label, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5}));
}

TEST(R1cs, SectionsInAnyOrderWithoutMapAndWithCustomGateSections)
{
    TempDir dir("formats");
    const std::string path = dir.file("c.r1cs");
    write_r1cs(path, sample_r1cs());
    auto secs = split(read_bytes(path));
    // circom writes the constraints first; drop the map; add (ignored) custom-gate sections.
    write_bytes(path, container("r1cs", 1, {secs[1], secs[0], {4, {0, 0, 0, 0}}, {5, {0, 0, 0, 0}}}));
    const R1cs r = read_r1cs(path);
    EXPECT_TRUE(r.wire_to_label.empty());
    EXPECT_EQ(r.constraints.size(), 3u);
    EXPECT_NE(r1cs_info(path).find("custom gates"), std::string::npos);
}

TEST(R1cs, RejectsBadFiles)
{
    TempDir dir("formats");
    const std::string path = dir.file("c.r1cs");
    write_r1cs(path, sample_r1cs());
    const auto good = read_bytes(path);
    const auto secs = split(good);
    ASSERT_EQ(secs[0].type, 1u);
    ASSERT_EQ(secs[1].type, 2u);
    auto with = [&](const std::function<void(std::vector<Section>&)>& edit, uint32_t version = 1) {
        auto s = secs;
        edit(s);
        write_bytes(path, container("r1cs", version, s));
    };
    // Header fields: fs @0, prime @4, nWires @36, nPubOut @40, nPubIn @44, nPrvIn @48,
    // nLabels @52, mConstraints @60.
    with([](auto&) {}, 2);
    EXPECT_FORMAT_ERROR(read_r1cs(path), "unsupported .r1cs version 2");
    with([](auto& s) { put_u256(s[0].payload, 4, r_minus(2)); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "not the BN254 scalar field prime r");
    with([](auto& s) { put_u32(s[0].payload, 0, 8); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "field element size 8 bytes");
    with([](auto& s) { put_u32(s[0].payload, 36, 0); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "nWires is 0");
    with([](auto& s) { put_u32(s[0].payload, 48, 0xfffffff0u); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "exceeds nWires = 6");
    with([](auto& s) { put_u32(s[0].payload, 60, 0xffffffffu); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "header declares 4294967295 constraints but the section has only");
    with([](auto& s) { put_u32(s[0].payload, 60, 2); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "section 2 (constraints): ");  // trailing bytes
    // Constraint 0, A: nTerms @0, wire @4, coef @8.
    with([](auto& s) { put_u32(s[1].payload, 0, 0x7fffffffu); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "constraint 0 A declares 2147483647 terms");
    with([](auto& s) { put_u32(s[1].payload, 4, 6); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "constraint 0 A term 0: wire 6 >= nWires = 6");
    with([](auto& s) { put_u256(s[1].payload, 8, Fr::modulus); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "constraint 0 A term 0: coefficient is not canonical (>= r)");
    with([](auto& s) { s[1].payload.pop_back(); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "section 2 (constraints): truncated");
    with([](auto& s) { s[2].payload.resize(40); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "section 3 (wire-to-label map): size mismatch");
    with([](auto& s) { s[2].payload[40] = 9; });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "wire 5 maps to label 9 >= nLabels = 9");
    with([](auto& s) { s.push_back(s[2]); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "section 3 appears more than once");
    with([](auto& s) { s.erase(s.begin() + 1); });
    EXPECT_FORMAT_ERROR(read_r1cs(path), "section 2 (constraints) is missing");
    with([](auto& s) { s.erase(s.begin()); });
    EXPECT_FORMAT_ERROR(read_r1cs_header(path), "section 1 (header) is missing");

    write_bytes(path, good);
    expect_every_truncation_rejected(path, good, [&] { read_r1cs(path); });
    expect_byte_flips_safe(path, good, [&] { read_r1cs(path); });
}

TEST(R1cs, WriterRejectsInconsistentSystems)
{
    TempDir dir("formats");
    R1cs r = sample_r1cs();
    r.constraints[1].b[0].wire = 6;
    EXPECT_FORMAT_ERROR(write_r1cs(dir.file("c.r1cs"), r), "uses wire 6 >= n_wires");
    r = sample_r1cs();
    r.header.n_constraints = 4;
    EXPECT_FORMAT_ERROR(write_r1cs(dir.file("c.r1cs"), r), "header says 4 constraints, have 3");
    r = sample_r1cs();
    r.wire_to_label.pop_back();
    EXPECT_FORMAT_ERROR(write_r1cs(dir.file("c.r1cs"), r), "wire_to_label has 5 entries");
}

// ==========================================================================================
// .zkey

namespace {

ZKey sample_zkey(uint32_t n_vars, uint32_t n_public, uint32_t domain, size_t n_coefs, uint64_t seed = 1)
{
    ZKey z;
    ZKeyHeader& h = z.header;
    h.version = 1;
    h.n_vars = n_vars;
    h.n_public = n_public;
    h.domain_size = domain;
    h.domain_log2 = uint32_t(__builtin_ctz(domain));
    const auto hg1 = g1_points(3, seed * 1000 + 11);
    const auto hg2 = g2_points(3, seed * 1000 + 17);
    h.alpha1 = hg1[0];
    h.beta1 = hg1[1];
    h.delta1 = hg1[2];
    h.beta2 = hg2[0];
    h.gamma2 = hg2[1];
    h.delta2 = hg2[2];
    h.n_coefs = uint32_t(n_coefs);
    z.ic = g1_points(n_public + 1, seed * 1000 + 23);
    z.a = g1_points(n_vars, seed * 1000 + 101);
    z.b1 = g1_points(n_vars, seed * 1000 + 202);
    z.b2 = g2_points(n_vars, seed * 1000 + 303);
    z.c = g1_points(n_vars - n_public - 1, seed * 1000 + 404);
    z.h = g1_points(domain, seed * 1000 + 505);
    if (n_vars > 1)
        z.a[1] = G1Affine::infinity();  // zero points are legal
    std::mt19937_64 rng(seed);
    for (size_t i = 0; i < n_coefs; ++i)
        z.coefs.push_back(ZKeyCoef::from_coefficient(uint32_t(rng() % 2), uint32_t(rng() % domain),
                                                     uint32_t(rng() % n_vars),
                                                     i == 0 ? -Fr::one() : Fr::from_uint(rng())));
    return z;
}

void expect_same(const ZKey& a, const ZKey& b)
{
    EXPECT_EQ(a.header.n_vars, b.header.n_vars);
    EXPECT_EQ(a.header.n_public, b.header.n_public);
    EXPECT_EQ(a.header.domain_size, b.header.domain_size);
    EXPECT_EQ(a.header.domain_log2, b.header.domain_log2);
    EXPECT_EQ(a.header.n_coefs, b.header.n_coefs);
    EXPECT_TRUE(a.header.alpha1 == b.header.alpha1 && a.header.beta1 == b.header.beta1 &&
                a.header.delta1 == b.header.delta1);
    EXPECT_TRUE(a.header.beta2 == b.header.beta2 && a.header.gamma2 == b.header.gamma2 &&
                a.header.delta2 == b.header.delta2);
    EXPECT_EQ(a.ic, b.ic);
    EXPECT_EQ(a.a, b.a);
    EXPECT_EQ(a.b1, b.b1);
    EXPECT_EQ(a.b2, b.b2);
    EXPECT_EQ(a.c, b.c);
    EXPECT_EQ(a.h, b.h);
    ASSERT_EQ(a.coefs.size(), b.coefs.size());
    for (size_t i = 0; i < a.coefs.size(); ++i) {
        EXPECT_EQ(a.coefs[i].matrix, b.coefs[i].matrix);
        EXPECT_EQ(a.coefs[i].constraint, b.coefs[i].constraint);
        EXPECT_EQ(a.coefs[i].signal, b.coefs[i].signal);
        EXPECT_TRUE(a.coefs[i].value == b.coefs[i].value);
    }
}

// Byte offsets inside the Groth16 header (section 2).
constexpr size_t kOffNVars = 72, kOffNPublic = 76, kOffDomain = 80, kOffAlpha1 = 84, kOffBeta2 = 212,
                 kOffDelta2 = 532;

}  // namespace

TEST(ZKey, RoundTrip)
{
    TempDir dir("formats");
    const std::string path = dir.file("c.zkey");
    const ZKey z = sample_zkey(9, 2, 16, 30);
    write_zkey(path, z);
    const ZKey back = read_zkey(path);
    expect_same(back, z);
    EXPECT_EQ(back.path, path);
    EXPECT_EQ(back.header.n_contributions, 0u);
    EXPECT_EQ(back.contributions.size(), 68u);
    check_g2_subgroup(back);

    const ZKeyHeader h = read_zkey_header(path);
    EXPECT_EQ(h.n_vars, 9u);
    EXPECT_EQ(h.n_public, 2u);
    EXPECT_EQ(h.domain_size, 16u);
    EXPECT_EQ(h.domain_log2, 4u);
    EXPECT_EQ(h.n_coefs, 30u);
    EXPECT_TRUE(h.delta2 == z.header.delta2);

    const std::string info = zkey_info(path);
    for (const char* want : {"nVars:           9", "nPublic:         2", "domainSize:      16 (2^4)",
                             "nCoefs:          30", "contributions:   0", "curve:           bn128"})
        EXPECT_NE(info.find(want), std::string::npos) << want << "\n" << info;

    // Writing what we read reproduces the file byte for byte.
    write_zkey(dir.file("again.zkey"), back);
    EXPECT_EQ(read_bytes(dir.file("again.zkey")), read_bytes(path));
}

TEST(ZKey, CoefficientConvention)
{
    // On disk: coef * R^2 mod r as a plain integer; value = Fr::from_raw(that) = coef * R.
    const Fr coef = Fr::from_uint(123456789);
    const ZKeyCoef c = ZKeyCoef::from_coefficient(0, 1, 2, coef);
    const Fr R = Fr::from_u256_unchecked(Fr::r1);  // 2^256 mod r as a field element
    EXPECT_TRUE(Fr::from_u256_unchecked(c.value.raw()) == coef * R * R);
    EXPECT_TRUE(c.value == coef * R);
    EXPECT_TRUE(c.coefficient() == coef);
    // One Montgomery product with a normal-form witness value gives coef * w.
    const U256 w(987654321);
    EXPECT_TRUE(c.value * Fr::from_raw(w) == coef * Fr::from_u256_unchecked(w));
    // -1 is stored as (r - 1) R^2 mod r.
    const ZKeyCoef m1 = ZKeyCoef::from_coefficient(0, 0, 0, -Fr::one());
    EXPECT_TRUE(m1.coefficient() == -Fr::one());
}

TEST(ZKey, ContributionsSectionIsParsed)
{
    TempDir dir("formats");
    const std::string path = dir.file("c.zkey");
    ZKey z = sample_zkey(3, 1, 2, 2);
    Bytes contrib;
    contrib.raw(std::vector<uint8_t>(64, 0xab).data(), 64).u32(2);
    for (int i = 0; i < 2; ++i) {
        contrib.raw(std::vector<uint8_t>(64 * 3 + 128 + 64, uint8_t(i)).data(), 64 * 3 + 128 + 64);
        contrib.u32(uint32_t(i)).u32(7).raw("\x01\x05Alice", 7);
    }
    z.contributions = contrib.b;
    write_zkey(path, z);
    const ZKey back = read_zkey(path);
    EXPECT_EQ(back.header.n_contributions, 2u);
    EXPECT_EQ(back.contributions, contrib.b);
    EXPECT_NE(zkey_info(path).find("contributions:   2"), std::string::npos);

    auto secs = split(read_bytes(path));
    put_u32(find(secs, 10).payload, 64, 3);
    write_bytes(path, container("zkey", 1, secs));
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 10 (contributions): ");
    put_u32(find(secs, 10).payload, 64, 1000000);
    write_bytes(path, container("zkey", 1, secs));
    EXPECT_FORMAT_ERROR(read_zkey(path), "declares 1000000 contributions");

    // The section is optional.
    secs.erase(secs.begin() + 9);
    write_bytes(path, container("zkey", 1, secs));
    EXPECT_TRUE(read_zkey(path).contributions.empty());
    EXPECT_NE(zkey_info(path).find("section absent"), std::string::npos);
}

TEST(ZKey, RejectsBadHeaders)
{
    TempDir dir("formats");
    const std::string path = dir.file("c.zkey");
    write_zkey(path, sample_zkey(5, 1, 4, 6));
    const auto good = read_bytes(path);
    const auto secs = split(good);
    auto with = [&](const std::function<void(std::vector<uint8_t>&)>& edit_header) {
        auto s = secs;
        edit_header(find(s, 2).payload);
        write_bytes(path, container("zkey", 1, s));
    };
    auto both = [&](const std::string& want) {
        EXPECT_FORMAT_ERROR(read_zkey(path), want);
        EXPECT_FORMAT_ERROR(read_zkey_header(path), want);
    };

    {
        auto s = secs;
        put_u32(find(s, 1).payload, 0, 2);
        write_bytes(path, container("zkey", 1, s));
        both("section 1 (protocol): protocol 2 (PLONK) is not supported; only Groth16 (1)");
    }
    with([](auto& h) { put_u32(h, 0, 48); });
    both("section 2 (Groth16 header): field element size 48 bytes for q");
    with([](auto& h) { put_u256(h, 4, Fr::modulus); });
    both("q is 2188824287183927522224640574525727508854836440041603434369820418657580849561"
         "7 (BN254's scalar field r, expected its base field q)");
    with([](auto& h) { put_u256(h, 40, Fq::modulus); });
    both("not the BN254 scalar field prime r");
    with([](auto& h) { put_u32(h, kOffNPublic, 5); });
    both("nPublic + 1 = 6 exceeds nVars = 5");
    with([](auto& h) { put_u32(h, kOffDomain, 12); });
    both("domainSize 12 is not a power of two");
    with([](auto& h) { put_u32(h, kOffDomain, 0); });
    both("domainSize 0 is not a power of two");
    with([](auto& h) { put_u32(h, kOffDomain, 1u << 29); });
    both("domainSize 2^29 exceeds the BN254 maximum 2^28");
    with([](auto& h) { put_u32(h, kOffDomain, 1); put_u32(h, kOffNPublic, 1); });
    both("domainSize 1 is smaller than nPublic + 1 = 2");
    with([](auto& h) { h.push_back(0); });
    both("size mismatch: 661 bytes");
    with([](auto& h) { h.resize(600); });
    both("section 2 (Groth16 header): ");
    with([](auto& h) { h[kOffAlpha1 + 5] ^= 1; });
    both("section 2 (Groth16 header): alpha1 point 0 is not on the curve");
    with([](auto& h) { put_u256(h, kOffAlpha1, Fq::modulus); });
    both("alpha1 point 0 has a coordinate >= q");
    with([](auto& h) {
        const G2Affine bad = g2_outside_subgroup();
        std::memcpy(h.data() + kOffBeta2, &bad, 128);
    });
    both("section 2 (Groth16 header): beta2 point 0 is not in the G2 subgroup");
    with([](auto& h) { h[kOffDelta2 + 100] ^= 4; });
    both("delta2 point 0 is not on the curve");
}

TEST(ZKey, RejectsBadSectionsAndPoints)
{
    TempDir dir("formats");
    const std::string path = dir.file("c.zkey");
    write_zkey(path, sample_zkey(5, 1, 4, 6));
    const auto good = read_bytes(path);
    const auto secs = split(good);
    auto with = [&](const std::function<void(std::vector<Section>&)>& edit) {
        auto s = secs;
        edit(s);
        write_bytes(path, container("zkey", 1, s));
    };

    // Section sizes against the header (a count that does not match is never allocated).
    with([](auto& s) { find(s, 3).payload.resize(64); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 3 (IC) is 64 bytes, expected 2 (nPublic + 1) G1 points x 64");
    with([](auto& s) { find(s, 7).payload.resize(5 * 128 - 1); });
    EXPECT_FORMAT_ERROR(read_zkey_header(path), "section 7 (B2) is 639 bytes");
    with([](auto& s) { find(s, 8).payload.resize(4 * 64); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 8 (C) is 256 bytes, expected 3 (nVars - nPublic - 1)");
    with([](auto& s) { find(s, 9).payload.clear(); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 9 (H) is 0 bytes, expected 4 (domainSize)");
    // Huge counts with tiny sections.
    with([](auto& s) { put_u32(find(s, 2).payload, kOffNVars, 0xffffffffu); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 5 (A) is 320 bytes, expected 4294967295 (nVars) G1 points");
    with([](auto& s) { put_u32(find(s, 2).payload, kOffDomain, 1u << 28); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 9 (H) is 256 bytes, expected 268435456 (domainSize)");
    with([](auto& s) { put_u32(find(s, 4).payload, 0, 0xffffffffu); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 4 (coefficients): size mismatch: 4294967295 coefficients");
    with([](auto& s) { find(s, 4).payload.resize(4 + 44 * 6 + 1); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 4 (coefficients): size mismatch");
    // Missing / duplicated sections.
    for (uint32_t t = 1; t <= 9; ++t) {
        with([&](auto& s) {
            s.erase(std::find_if(s.begin(), s.end(), [&](const Section& x) { return x.type == t; }));
        });
        EXPECT_FORMAT_ERROR(read_zkey(path), "section " + std::to_string(t) + " (");
        EXPECT_FORMAT_ERROR(read_zkey(path), ") is missing");
        with([&](auto& s) { s.push_back(find(s, t)); });
        EXPECT_FORMAT_ERROR(read_zkey(path), ") appears more than once");
    }
    with([](auto& s) { s.push_back(find(s, 10)); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 10 (contributions) appears more than once");
    // Unknown sections are ignored.
    with([](auto& s) { s.insert(s.begin() + 3, Section{42, {1, 2, 3}}); });
    EXPECT_EQ(read_zkey(path).a.size(), 5u);

    // Coefficients: entry 2 starts at 4 + 2 * 44.
    const size_t c2 = 4 + 2 * 44;
    with([&](auto& s) { put_u32(find(s, 4).payload, c2, 2); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 4 (coefficients): coefficient 2: matrix 2 (must be 0 = A or 1 = B)");
    with([&](auto& s) { put_u32(find(s, 4).payload, c2 + 4, 4); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "coefficient 2: constraint 4 >= domainSize 4");
    with([&](auto& s) { put_u32(find(s, 4).payload, c2 + 8, 5); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "coefficient 2: signal 5 >= nVars 5");
    with([&](auto& s) { put_u256(find(s, 4).payload, c2 + 12, Fr::modulus); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "coefficient 2: value is not canonical (>= r)");

    // Points.
    with([](auto& s) { find(s, 7).payload[12 * 0 + 128 * 3 + 70] ^= 1; });
    EXPECT_FORMAT_ERROR(read_zkey(path), "c.zkey: section 7 (B2) point 3 is not on the curve");
    with([](auto& s) { put_u256(find(s, 5).payload, 64 * 4 + 32, Fq::modulus); });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 5 (A) point 4 has a coordinate >= q");
    with([](auto& s) { find(s, 3).payload[1] ^= 1; });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 3 (IC) point 0 is not on the curve");
    with([](auto& s) { find(s, 6).payload[64 + 40] ^= 1; });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 6 (B1) point 1 is not on the curve");
    with([](auto& s) { find(s, 8).payload[64 * 2] ^= 1; });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 8 (C) point 2 is not on the curve");
    with([](auto& s) { find(s, 9).payload[64 * 3 + 63] ^= 0x10; });
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 9 (H) point 3 ");

    write_bytes(path, good);
    expect_every_truncation_rejected(path, good, [&] { read_zkey(path); });
    expect_byte_flips_safe(path, good, [&] { read_zkey(path); }, 5);
}

TEST(ZKey, B2OutsideTheSubgroupIsCaughtByTheDiagnosticCheck)
{
    TempDir dir("formats");
    const std::string path = dir.file("c.zkey");
    ZKey z = sample_zkey(6, 1, 4, 3);
    z.b2[4] = g2_outside_subgroup();
    write_zkey(path, z);
    const ZKey back = read_zkey(path);  // on-curve only: accepted
    EXPECT_FORMAT_ERROR(check_g2_subgroup(back), "c.zkey: section 7 (B2) point 4 is not in the G2 subgroup");
}

TEST(ZKey, WriterRejectsInconsistentKeys)
{
    TempDir dir("formats");
    ZKey z = sample_zkey(5, 1, 4, 3);
    z.h.pop_back();
    EXPECT_FORMAT_ERROR(write_zkey(dir.file("c.zkey"), z), "h has 3 entries, expected 4");
    z = sample_zkey(5, 1, 4, 3);
    z.coefs[1].signal = 5;
    EXPECT_FORMAT_ERROR(write_zkey(dir.file("c.zkey"), z), "coefficient 1 is out of range");
    z = sample_zkey(5, 1, 4, 3);
    z.header.domain_size = 6;
    EXPECT_FORMAT_ERROR(write_zkey(dir.file("c.zkey"), z), "power of two");
    EXPECT_FALSE(std::filesystem::exists(dir.file("c.zkey")));
}

TEST(ZKey, LargeKeyLoadsInParallelAndReportsTheFirstBadPoint)
{
    // Big enough for the multi-threaded path: 2^15 H points.
    TempDir dir("formats");
    const std::string path = dir.file("big.zkey");
    const ZKey z = sample_zkey(20000, 3, 1 << 15, 50000, 7);
    write_zkey(path, z);
    const auto t0 = std::chrono::steady_clock::now();
    const ZKey back = read_zkey(path);
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ info ] read_zkey: nVars 20000, domain 2^15, 50000 coefs: %.1f ms\n", ms);
    expect_same(back, z);

    auto secs = split(read_bytes(path));
    find(secs, 9).payload[64 * 30000 + 3] ^= 1;
    find(secs, 9).payload[64 * 20000 + 3] ^= 1;
    write_bytes(path, container("zkey", 1, secs));
    EXPECT_FORMAT_ERROR(read_zkey(path), "section 9 (H) point 20000 is not on the curve");
}

// ==========================================================================================
// .ptau

namespace {

struct PtauSpec {
    uint32_t power = 2;
    uint32_t ceremony_power = 2;
    bool prepared = true;
};

// A structurally valid ptau (the points are valid curve points, not a real ceremony).
std::vector<uint8_t> make_ptau(const PtauSpec& spec)
{
    const uint64_t n = uint64_t(1) << spec.power;
    auto g1s = [](size_t count, uint64_t seed) {
        const auto p = g1_points(count, seed);
        return std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(p.data()),
                                    reinterpret_cast<const uint8_t*>(p.data() + p.size()));
    };
    auto g2s = [](size_t count, uint64_t seed) {
        const auto p = g2_points(count, seed);
        return std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(p.data()),
                                    reinterpret_cast<const uint8_t*>(p.data() + p.size()));
    };
    std::vector<Section> s;
    s.push_back({1, Bytes().u32(32).u256(Fq::modulus).u32(spec.power).u32(spec.ceremony_power).b});
    s.push_back({2, g1s(2 * n - 1, 1)});
    s.push_back({3, g2s(n, 1)});
    s.push_back({4, g1s(n, 100)});
    s.push_back({5, g1s(n, 200)});
    s.push_back({6, g2s(1, 300)});
    s.push_back({7, Bytes().u32(0).b});
    if (spec.prepared) {
        s.push_back({12, g1s(4 * n - 1, 400)});
        s.push_back({13, g2s(2 * n - 1, 500)});
        s.push_back({14, g1s(2 * n - 1, 600)});
        s.push_back({15, g1s(2 * n - 1, 700)});
    }
    return container("ptau", 1, s);
}

}  // namespace

TEST(PTau, OpensAndReadsRanges)
{
    TempDir dir("formats");
    const std::string path = dir.file("p.ptau");
    write_bytes(path, make_ptau({3, 5, true}));
    const PTau p = PTau::open(path);
    EXPECT_EQ(p.power(), 3u);
    EXPECT_EQ(p.ceremony_power(), 5u);
    EXPECT_TRUE(p.prepared());
    EXPECT_EQ(p.n_contributions(), 0u);
    EXPECT_EQ(p.point_count(PTauSection::tau_g1), 15u);
    EXPECT_EQ(p.point_count(PTauSection::tau_g2), 8u);
    EXPECT_EQ(p.point_count(PTauSection::lagrange_tau_g1), 31u);

    const auto all = p.g1_points(PTauSection::tau_g1, 0, 15);
    EXPECT_EQ(all, g1_points(15, 1));
    const auto mid = p.g1_points(PTauSection::tau_g1, 4, 3);
    EXPECT_EQ(mid, std::vector<G1Affine>(all.begin() + 4, all.begin() + 7));
    EXPECT_EQ(p.g2_points(PTauSection::beta_g2, 0, 1, G2Check::subgroup), g2_points(1, 300));
    // The size-2^k Lagrange block starts at point 2^k - 1.
    const auto lag = g1_points(31, 400);
    EXPECT_EQ(p.lagrange_g1(PTauSection::lagrange_tau_g1, 4), std::vector<G1Affine>(lag.begin() + 15, lag.end()));
    EXPECT_EQ(p.lagrange_g1(PTauSection::lagrange_tau_g1, 0), std::vector<G1Affine>(lag.begin(), lag.begin() + 1));
    const auto lag2 = g2_points(15, 500);
    EXPECT_EQ(p.lagrange_g2(2), std::vector<G2Affine>(lag2.begin() + 3, lag2.begin() + 7));
    EXPECT_TRUE(p.g1_points(PTauSection::alpha_tau_g1, 8, 0).empty());

    EXPECT_FORMAT_ERROR(p.g1_points(PTauSection::tau_g1, 10, 6),
                        "section 2 (tauG1): 6 points from index 10 are outside its 15 points");
    EXPECT_FORMAT_ERROR(p.g1_points(PTauSection::tau_g1, ~uint64_t(0), 2), "outside its 15 points");
    EXPECT_FORMAT_ERROR(p.g1_points(PTauSection::tau_g2, 0, 1), "holds G2 points, not G1");
    EXPECT_FORMAT_ERROR(p.lagrange_g1(PTauSection::lagrange_alpha_tau_g1, 4), "has no size-2^4 block");
    EXPECT_FORMAT_ERROR(p.lagrange_g2(4), "has no size-2^4 block");
    EXPECT_FORMAT_ERROR(p.lagrange_g1(PTauSection::tau_g1, 1), "is not a G1 Lagrange section");

    const std::string info = ptau_info(path);
    EXPECT_NE(info.find("power:           3"), std::string::npos) << info;
    EXPECT_NE(info.find("phase 2 ready:   yes"), std::string::npos) << info;

    write_bytes(path, make_ptau({2, 2, false}));
    const PTau q = PTau::open(path);
    EXPECT_FALSE(q.prepared());
    EXPECT_EQ(q.point_count(PTauSection::lagrange_tau_g1), 0u);
    EXPECT_FORMAT_ERROR(q.lagrange_g1(PTauSection::lagrange_tau_g1, 1), "is missing (the file is not prepared");
    EXPECT_NE(ptau_info(path).find("phase 2 ready:   no"), std::string::npos);
}

TEST(PTau, ValidatesPointsOnRead)
{
    TempDir dir("formats");
    const std::string path = dir.file("p.ptau");
    auto bytes = make_ptau({2, 2, true});
    auto secs = split(bytes);
    find(secs, 2).payload[64 * 5 + 1] ^= 1;
    find(secs, 13).payload[128 * 2 + 1] ^= 1;
    write_bytes(path, container("ptau", 1, secs));
    const PTau p = PTau::open(path);  // points are checked lazily
    EXPECT_EQ(p.g1_points(PTauSection::tau_g1, 0, 5).size(), 5u);
    EXPECT_FORMAT_ERROR(p.g1_points(PTauSection::tau_g1, 3, 4),
                        "p.ptau: section 2 (tauG1) point 5 is not on the curve");
    EXPECT_FORMAT_ERROR(p.lagrange_g2(1), "section 13 (lagrange tauG2) point 2 is not on the curve");
}

TEST(PTau, RejectsBadFiles)
{
    TempDir dir("formats");
    const std::string path = dir.file("p.ptau");
    const auto good = make_ptau({1, 1, true});
    const auto secs = split(good);
    auto with = [&](const std::function<void(std::vector<Section>&)>& edit, uint32_t version = 1) {
        auto s = secs;
        edit(s);
        write_bytes(path, container("ptau", version, s));
    };
    with([](auto&) {}, 2);
    EXPECT_FORMAT_ERROR(PTau::open(path), "unsupported .ptau version 2");
    with([](auto& s) { put_u256(s[0].payload, 4, Fr::modulus); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "section 1 (header): q is ");
    with([](auto& s) { put_u32(s[0].payload, 36, 29); put_u32(s[0].payload, 40, 29); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "power 29 exceeds the BN254 maximum 28");
    with([](auto& s) { put_u32(s[0].payload, 40, 0); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "ceremonyPower 0 is outside [power = 1, 28]");
    with([](auto& s) { put_u32(s[0].payload, 36, 20); put_u32(s[0].payload, 40, 20); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "section 2 (tauG1) is 192 bytes, expected 2097151 points x 64");
    with([](auto& s) { find(s, 3).payload.resize(128); });
    EXPECT_FORMAT_ERROR(PTau::open(path),
                        "section 3 (tauG2) is 128 bytes, expected 2 points x 128 = 256 bytes for power 1");
    with([](auto& s) { find(s, 12).payload.pop_back(); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "section 12 (lagrange tauG1) is 447 bytes");
    with([](auto& s) { s.erase(s.begin() + 8); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "partially prepared for phase 2: section 13 (lagrange tauG2) is missing");
    with([](auto& s) { s.erase(s.begin() + 6); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "section 7 (contributions) is missing");
    with([](auto& s) { s.push_back(s[3]); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "section 4 appears more than once");
    with([](auto& s) { s[6].payload.clear(); });
    EXPECT_FORMAT_ERROR(PTau::open(path), "section 7 (contributions): truncated");

    write_bytes(path, good);
    expect_every_truncation_rejected(path, good, [&] { PTau::open(path); });
    expect_byte_flips_safe(path, good, [&] {
        const PTau p = PTau::open(path);
        for (PTauSection s : {PTauSection::tau_g1, PTauSection::alpha_tau_g1, PTauSection::beta_tau_g1,
                              PTauSection::lagrange_tau_g1, PTauSection::lagrange_alpha_tau_g1,
                              PTauSection::lagrange_beta_tau_g1})
            p.g1_points(s, 0, p.point_count(s));
        for (PTauSection s : {PTauSection::tau_g2, PTauSection::beta_g2, PTauSection::lagrange_tau_g2})
            p.g2_points(s, 0, p.point_count(s));
    });
}

// ==========================================================================================
// describe_file

TEST(DescribeFile, DispatchesOnTheMagic)
{
    TempDir dir("formats");
    Witness w;
    w.values = {U256(1), U256(5)};
    write_wtns(dir.file("a.wtns"), w);
    write_r1cs(dir.file("a.r1cs"), sample_r1cs());
    write_zkey(dir.file("a.zkey"), sample_zkey(3, 1, 2, 2));
    write_bytes(dir.file("a.ptau"), make_ptau({1, 1, false}));
    write_bytes(dir.file("junk.bin"), {'J', 'U', 'N', 'K', 0, 0, 0, 0});
    write_bytes(dir.file("empty"), {});
    {
        std::ofstream(dir.file("public.json")) << "[\"1\", \"2\"]";
    }
    EXPECT_NE(describe_file(dir.file("a.wtns")).find("witness values: 2"), std::string::npos);
    EXPECT_NE(describe_file(dir.file("a.r1cs")).find("constraint system"), std::string::npos);
    EXPECT_NE(describe_file(dir.file("a.zkey")).find("Groth16 proving key"), std::string::npos);
    EXPECT_NE(describe_file(dir.file("a.ptau")).find("powers of tau"), std::string::npos);
    EXPECT_NE(describe_file(dir.file("public.json")).find("signals:  2"), std::string::npos);
    EXPECT_FORMAT_ERROR(describe_file(dir.file("junk.bin")), "unrecognised file type (magic 'JUNK'");
    EXPECT_FORMAT_ERROR(describe_file(dir.file("empty")), "empty file");
    EXPECT_FORMAT_ERROR(describe_file(dir.file("missing")), "cannot open");
}
