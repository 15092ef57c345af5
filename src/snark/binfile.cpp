#include "snark/binfile.hpp"

#include "snark/json_io.hpp"
#include "snark/ptau.hpp"
#include "snark/r1cs.hpp"
#include "snark/wtns.hpp"
#include "snark/zkey.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace provernet::snark {

using math::Fq;
using math::Fq2;
using math::G1Affine;
using math::G2Affine;
using math::U256;

static_assert(std::endian::native == std::endian::little,
              "the file formats are little-endian and points are copied as raw limbs");

// ------------------------------------------------------------------------------------------
// Helpers

uint32_t load_u32(const uint8_t* p)
{
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

uint64_t load_u64(const uint8_t* p)
{
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b)
{
    uint64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

std::string format_size(uint64_t bytes, bool exact)
{
    static const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024)
        return std::to_string(bytes) + " bytes";
    double v = double(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[64];
    if (exact)
        std::snprintf(buf, sizeof buf, "%.1f %s (%" PRIu64 " bytes)", v, units[u], bytes);
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

std::string printable_magic(std::span<const uint8_t> magic)
{
    bool printable = true;
    for (uint8_t c : magic)
        printable = printable && c >= 0x20 && c < 0x7f && c != '\'';
    if (printable)
        return "'" + std::string(magic.begin(), magic.end()) + "'";
    std::string s = "0x";
    static const char* hex = "0123456789abcdef";
    for (uint8_t c : magic) {
        s.push_back(hex[c >> 4]);
        s.push_back(hex[c & 15]);
    }
    return s;
}

std::string section_label(uint32_t type, std::string_view name)
{
    std::string s = "section " + std::to_string(type);
    if (!name.empty())
        s += " (" + std::string(name) + ")";
    return s;
}

void read_bn254_prime(SectionReader& rd, Bn254Field field, std::string_view what)
{
    const uint32_t n8 = rd.u32();
    if (n8 != 32)
        rd.fail("field element size " + std::to_string(n8) + " bytes for " + std::string(what) +
                "; only 32 (BN254, curve bn128) is supported");
    const U256 p = rd.u256();
    const U256& expected = field == Bn254Field::q ? Fq::modulus : math::Fr::modulus;
    if (p == expected)
        return;
    // Name a few primes people are likely to feed us by mistake.
    static const U256 bls_r =
        math::u256_from_hex_literal("0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
    std::string known;
    if (p == bls_r)
        known = " (the BLS12-381 scalar field: a bls12381 file)";
    else if (p == (field == Bn254Field::q ? math::Fr::modulus : Fq::modulus))
        known = field == Bn254Field::q ? " (BN254's scalar field r, expected its base field q)"
                                       : " (BN254's base field q, expected its scalar field r)";
    rd.fail(std::string(what) + " is " + p.to_decimal() + known + ", not the BN254 " +
            (field == Bn254Field::q ? "base field prime q" : "scalar field prime r") +
            "; only curve bn128 is supported");
}

std::string describe_sections(const BinFile& f, std::string_view (*name_of)(uint32_t))
{
    std::string s;
    for (const SectionInfo& sec : f.sections()) {
        if (!s.empty())
            s += ", ";
        s += std::to_string(sec.type);
        const std::string_view n = name_of(sec.type);
        s += " (" + (n.empty() ? std::string("unknown") : std::string(n)) + ", " + format_size(sec.size, false) + ")";
    }
    return s.empty() ? "none" : s;
}

// ------------------------------------------------------------------------------------------
// MappedFile

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw FormatError(path, std::string("cannot open: ") + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};

    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw FormatError(path, std::string("cannot stat: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw FormatError(path, "not a regular file");

    std::shared_ptr<MappedFile> f(new MappedFile());
    f->path_ = path;
    f->size_ = uint64_t(st.st_size);
    if (f->size_ == 0)
        return f;
    if (f->size_ > uint64_t(std::numeric_limits<size_t>::max()))
        throw FormatError(path, "file too large to map");

    void* p = ::mmap(nullptr, size_t(f->size_), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
        f->data_ = static_cast<const uint8_t*>(p);
        f->mapped_ = true;
        return f;
    }
    // Fall back to reading the file into memory.
    f->heap_.resize(size_t(f->size_));
    size_t done = 0;
    while (done < f->heap_.size()) {
        const ssize_t n = ::pread(fd, f->heap_.data() + done, f->heap_.size() - done, off_t(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw FormatError(path, std::string("cannot read: ") + std::strerror(errno));
        if (n == 0)
            throw FormatError(path, "file shrank while being read");
        done += size_t(n);
    }
    f->data_ = f->heap_.data();
    return f;
}

std::shared_ptr<const MappedFile> MappedFile::from_bytes(std::string name, std::vector<uint8_t> bytes)
{
    std::shared_ptr<MappedFile> f(new MappedFile());
    f->path_ = std::move(name);
    f->heap_ = std::move(bytes);
    f->data_ = f->heap_.data();
    f->size_ = f->heap_.size();
    return f;
}

MappedFile::~MappedFile()
{
    if (mapped_ && data_ != nullptr)
        ::munmap(const_cast<uint8_t*>(data_), size_t(size_));
}

// ------------------------------------------------------------------------------------------
// BinFile

BinFile BinFile::open(const std::string& path, std::string_view magic, uint32_t min_version, uint32_t max_version)
{
    return parse(MappedFile::open(path), magic, min_version, max_version);
}

BinFile BinFile::parse(std::shared_ptr<const MappedFile> file, std::string_view magic, uint32_t min_version,
                       uint32_t max_version)
{
    BinFile b;
    b.file_ = std::move(file);
    const uint8_t* d = b.file_->data();
    const uint64_t size = b.file_->size();
    const std::string ext = "." + std::string(magic);

    if (size < 4)
        b.fail("truncated: " + std::to_string(size) + " bytes, too short for a " + ext + " file");
    if (std::memcmp(d, magic.data(), 4) != 0)
        b.fail("not a " + ext + " file (magic " + printable_magic({d, 4}) + ", expected '" + std::string(magic) +
               "')");
    if (size < 12)
        b.fail("truncated: " + std::to_string(size) + " bytes, too short for the file header (12 bytes)");
    b.version_ = load_u32(d + 4);
    if (b.version_ < min_version || b.version_ > max_version) {
        std::string supported = min_version == max_version
                                    ? std::to_string(min_version)
                                    : std::to_string(min_version) + " to " + std::to_string(max_version);
        b.fail("unsupported " + ext + " version " + std::to_string(b.version_) + " (supported: " + supported + ")");
    }
    const uint32_t n_sections = load_u32(d + 8);
    if (uint64_t(n_sections) > (size - 12) / 12)
        b.fail("header declares " + std::to_string(n_sections) + " sections, more than a file of " +
               std::to_string(size) + " bytes can hold (truncated?)");

    b.sections_.reserve(n_sections);
    uint64_t pos = 12;
    for (uint32_t i = 0; i < n_sections; ++i) {
        if (size - pos < 12)
            b.fail("truncated in the header of section entry " + std::to_string(i) + " of " +
                   std::to_string(n_sections) + " (offset " + std::to_string(pos) + ")");
        SectionInfo s;
        s.type = load_u32(d + pos);
        s.size = load_u64(d + pos + 4);
        s.offset = pos + 12;
        if (s.size > size - s.offset)
            b.fail(section_label(s.type, "") + " declares " + std::to_string(s.size) + " bytes but only " +
                   std::to_string(size - s.offset) + " remain in the file (truncated?)");
        b.sections_.push_back(s);
        pos = s.offset + s.size;
    }
    if (pos != size)
        b.fail(std::to_string(size - pos) + " unexpected trailing bytes after the last section");
    return b;
}

size_t BinFile::count(uint32_t type) const
{
    return size_t(
        std::count_if(sections_.begin(), sections_.end(), [&](const SectionInfo& s) { return s.type == type; }));
}

std::optional<std::span<const uint8_t>> BinFile::optional_section(uint32_t type, std::string_view name) const
{
    const SectionInfo* found = nullptr;
    for (const SectionInfo& s : sections_) {
        if (s.type != type)
            continue;
        if (found != nullptr)
            fail(section_label(type, name) + " appears more than once");
        found = &s;
    }
    if (found == nullptr)
        return std::nullopt;
    return std::span<const uint8_t>(file_->data() + found->offset, size_t(found->size));
}

std::span<const uint8_t> BinFile::section(uint32_t type, std::string_view name) const
{
    auto s = optional_section(type, name);
    if (!s)
        fail(section_label(type, name) + " is missing");
    return *s;
}

void BinFile::reject_duplicates(std::initializer_list<uint32_t> types) const
{
    for (uint32_t t : types)
        if (count(t) > 1)
            fail(section_label(t, "") + " appears more than once");
}

// ------------------------------------------------------------------------------------------
// SectionReader

SectionReader::SectionReader(const BinFile& file, uint32_t type, std::string_view name)
    : path_(file.path()), label_(section_label(type, name)), data_(file.section(type, name))
{
}

SectionReader::SectionReader(std::string path, std::string label, std::span<const uint8_t> bytes)
    : path_(std::move(path)), label_(std::move(label)), data_(bytes)
{
}

void SectionReader::fail(const std::string& problem) const { throw FormatError(path_, label_ + ": " + problem); }

std::span<const uint8_t> SectionReader::bytes(uint64_t n)
{
    if (n > remaining())
        fail("truncated: needs " + std::to_string(n) + " more bytes at offset " + std::to_string(pos_) + ", only " +
             std::to_string(remaining()) + " left (section is " + std::to_string(size()) + " bytes)");
    auto s = data_.subspan(size_t(pos_), size_t(n));
    pos_ += n;
    return s;
}

uint32_t SectionReader::u32() { return load_u32(bytes(4).data()); }
uint64_t SectionReader::u64() { return load_u64(bytes(8).data()); }
U256 SectionReader::u256() { return U256::from_le_bytes(bytes(32).data()); }

void SectionReader::expect_end() const
{
    if (remaining() != 0)
        fail(std::to_string(remaining()) + " unexpected trailing bytes (section is " + std::to_string(size()) +
             " bytes, content ends at " + std::to_string(pos_) + ")");
}

void SectionReader::expect_remaining(uint64_t n, std::string_view what) const
{
    if (remaining() != n)
        fail("size mismatch: " + std::string(what) + " needs " + std::to_string(n) + " bytes, section has " +
             std::to_string(remaining()) + (pos_ != 0 ? " after offset " + std::to_string(pos_) : std::string()));
}

// ------------------------------------------------------------------------------------------
// BinWriter

BinWriter::BinWriter(std::string path, std::string_view magic, uint32_t version) : path_(std::move(path))
{
    tmp_ = path_ + ".tmp-" + std::to_string(::getpid());
    f_ = std::fopen(tmp_.c_str(), "wb");
    if (f_ == nullptr)
        throw FormatError(path_, std::string("cannot create: ") + std::strerror(errno));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    if (magic.size() != 4)
        io_fail("magic must be 4 characters");
    bytes(magic.data(), 4);
    u32(version);
    u32(0);  // nSections, patched by finish()
}

BinWriter::~BinWriter()
{
    if (f_ != nullptr)
        std::fclose(f_);
    if (!done_)
        std::remove(tmp_.c_str());
}

void BinWriter::io_fail(const std::string& what)
{
    const int e = errno;
    if (f_ != nullptr) {
        std::fclose(f_);
        f_ = nullptr;
    }
    std::remove(tmp_.c_str());
    throw FormatError(path_, "cannot write: " + what + (e != 0 ? std::string(" (") + std::strerror(e) + ")" : ""));
}

void BinWriter::bytes(const void* p, size_t n)
{
    if (f_ == nullptr)
        io_fail("writer already closed");
    if (n != 0 && std::fwrite(p, 1, n, f_) != n)
        io_fail("short write");
}

void BinWriter::zeros(size_t n)
{
    static const uint8_t z[4096] = {};
    while (n > 0) {
        const size_t k = std::min(n, sizeof z);
        bytes(z, k);
        n -= k;
    }
}

void BinWriter::u32(uint32_t v) { bytes(&v, 4); }
void BinWriter::u64(uint64_t v) { bytes(&v, 8); }
void BinWriter::u256(const U256& v)
{
    uint8_t b[32];
    v.to_le_bytes(b);
    bytes(b, 32);
}

void BinWriter::begin_section(uint32_t type)
{
    if (in_section_)
        io_fail("begin_section inside a section");
    u32(type);
    u64(0);  // size, patched by end_section()
    section_start_ = ::ftello(f_);
    if (section_start_ < 0)
        io_fail("ftello");
    in_section_ = true;
    ++n_sections_;
}

void BinWriter::end_section()
{
    if (!in_section_)
        io_fail("end_section outside a section");
    const long long end = ::ftello(f_);
    if (end < 0)
        io_fail("ftello");
    const uint64_t size = uint64_t(end - section_start_);
    if (::fseeko(f_, section_start_ - 8, SEEK_SET) != 0)
        io_fail("seek");
    u64(size);
    if (::fseeko(f_, end, SEEK_SET) != 0)
        io_fail("seek");
    in_section_ = false;
}

void BinWriter::finish()
{
    if (in_section_)
        io_fail("finish inside a section");
    if (::fseeko(f_, 8, SEEK_SET) != 0)
        io_fail("seek");
    u32(n_sections_);
    if (std::fflush(f_) != 0 || std::ferror(f_))
        io_fail("flush");
    const int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0)
        io_fail("close");
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
        io_fail("rename of " + tmp_);
    done_ = true;
}

// ------------------------------------------------------------------------------------------
// Parallel helpers and point loading

void parallel_for(size_t n, size_t min_chunk, const std::function<void(size_t, size_t)>& fn)
{
    if (n == 0)
        return;
    min_chunk = std::max<size_t>(min_chunk, 1);
    size_t threads = std::max<unsigned>(std::thread::hardware_concurrency(), 1u);
    threads = std::min(threads, (n + min_chunk - 1) / min_chunk);
    if (threads <= 1) {
        fn(0, n);
        return;
    }
    std::vector<std::exception_ptr> errors(threads);
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    auto run = [&](size_t t) {
        const size_t begin = n * t / threads, end = n * (t + 1) / threads;
        try {
            fn(begin, end);
        } catch (...) {
            errors[t] = std::current_exception();
        }
    };
    for (size_t t = 1; t < threads; ++t) {
        try {
            pool.emplace_back(run, t);
        } catch (...) {
            // Could not start a thread: do that chunk here.
            run(t);
        }
    }
    run(0);
    for (auto& th : pool)
        th.join();
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

namespace {

inline bool canonical_q(const Fq& a)
{
    // Raw Montgomery limbs must be < q.
    const U256& q = Fq::modulus;
    for (int i = 3; i >= 0; --i)
        if (a.v[i] != q.limb[i])
            return a.v[i] < q.limb[i];
    return false;
}
inline bool canonical(const G1Affine& p) { return canonical_q(p.x) && canonical_q(p.y); }
inline bool canonical(const G2Affine& p)
{
    return canonical_q(p.x.c0) && canonical_q(p.x.c1) && canonical_q(p.y.c0) && canonical_q(p.y.c1);
}

// y^2 == x^3 + b with b hoisted out of the loop (G1Params::b() costs a multiplication a call).
inline bool on_curve(const G1Affine& p, const Fq& b)
{
    return p.is_infinity() || p.y.square() == p.x.square() * p.x + b;
}
inline bool on_curve(const G2Affine& p, const Fq2& b)
{
    return p.is_infinity() || p.y.square() == p.x.square() * p.x + b;
}

enum class Bad : uint8_t { none, not_canonical, off_curve, outside_subgroup };

struct FirstBad {
    size_t index = std::numeric_limits<size_t>::max();
    Bad what = Bad::none;
};

template <class P>
void load_points(const std::string& path, std::string_view label, const uint8_t* src, size_t count, P* out,
                 bool subgroup, uint64_t index_base)
{
    static_assert(sizeof(P) == 2 * sizeof(typename P::Field));
    // Chunks: big enough to amortise a thread start (~20 us) against ~0.1 us (G1) per point.
    const size_t min_chunk = subgroup ? 4 : (sizeof(P) == 64 ? 8192 : 2048);
    using F = typename P::Field;
    F curve_b;
    if constexpr (sizeof(P) == 64)
        curve_b = math::G1Params::b();
    else
        curve_b = math::G2Params::b();
    std::mutex m;
    FirstBad first;
    parallel_for(count, min_chunk, [&](size_t begin, size_t end) {
        std::memcpy(static_cast<void*>(out + begin), src + begin * sizeof(P), (end - begin) * sizeof(P));
        for (size_t i = begin; i < end; ++i) {
            const P& p = out[i];
            Bad b = Bad::none;
            if (!canonical(p))
                b = Bad::not_canonical;
            else if (!on_curve(p, curve_b))
                b = Bad::off_curve;
            else if (subgroup && !p.is_valid())
                b = Bad::outside_subgroup;
            if (b != Bad::none) {
                std::lock_guard lock(m);
                if (i < first.index)
                    first = {i, b};
                return;
            }
        }
    });
    if (first.what == Bad::none)
        return;
    std::string msg = std::string(label) + " point " + std::to_string(index_base + first.index);
    switch (first.what) {
    case Bad::not_canonical:
        msg += " has a coordinate >= q (not a canonical Montgomery field element)";
        break;
    case Bad::off_curve:
        msg += " is not on the curve";
        break;
    default:
        msg += " is not in the G2 subgroup";
        break;
    }
    throw FormatError(path, msg);
}

}  // namespace

void load_g1_points(const std::string& path, std::string_view label, const uint8_t* src, size_t count, G1Affine* out,
                    uint64_t index_base)
{
    load_points(path, label, src, count, out, false, index_base);
}

void load_g2_points(const std::string& path, std::string_view label, const uint8_t* src, size_t count, G2Affine* out,
                    G2Check check, uint64_t index_base)
{
    (void)math::G2Params::b();  // initialise the function-local static before threads race for it
    load_points(path, label, src, count, out, check == G2Check::subgroup, index_base);
}

std::optional<size_t> find_g2_outside_subgroup(std::span<const G2Affine> pts)
{
    (void)math::G2Params::b();
    std::atomic<size_t> first{std::numeric_limits<size_t>::max()};
    parallel_for(pts.size(), 4, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            if (i >= first.load(std::memory_order_relaxed))
                return;
            if (!pts[i].is_valid()) {
                size_t cur = first.load();
                while (i < cur && !first.compare_exchange_weak(cur, i)) {
                }
                return;
            }
        }
    });
    const size_t f = first.load();
    if (f == std::numeric_limits<size_t>::max())
        return std::nullopt;
    return f;
}

// ------------------------------------------------------------------------------------------
// describe_file

std::string describe_file(const std::string& path)
{
    const auto f = MappedFile::open(path);
    const auto b = f->bytes();
    if (b.size() >= 4) {
        const std::string_view magic(reinterpret_cast<const char*>(b.data()), 4);
        if (magic == "r1cs")
            return r1cs_info(path);
        if (magic == "wtns")
            return wtns_info(path);
        if (magic == "zkey")
            return zkey_info(path);
        if (magic == "ptau")
            return ptau_info(path);
    }
    size_t i = 0;
    while (i < b.size() && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
        ++i;
    if (i < b.size() && (b[i] == '{' || b[i] == '['))
        return json_info(path);
    if (b.empty())
        throw FormatError(path, "empty file");
    const std::string magic = printable_magic(b.subspan(0, std::min<size_t>(4, b.size())));
    throw FormatError(path, "unrecognised file type (magic " + magic +
                                "; expected r1cs, wtns, zkey, ptau or a snarkjs JSON file)");
}

}  // namespace provernet::snark
