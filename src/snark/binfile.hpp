// The iden3 "binfile" container shared by .r1cs, .wtns, .zkey and .ptau:
//
//   magic[4] | u32 version | u32 nSections | nSections x (u32 type | u64 size | u8 payload[size])
//
// all little-endian. BinFile maps a whole file read-only (mmap; a heap copy where mmap is not
// possible) and indexes its sections; SectionReader is a bounds-checked cursor over one section;
// BinWriter writes a container, patching the section sizes as it goes. Every problem is reported
// as a FormatError naming the file.
//
// Also here: the validated bulk copy of curve points stored as little-endian Montgomery limbs
// (zkey and ptau point sections), which is exactly the in-memory layout of G1Affine/G2Affine.
#pragma once

#include "math/g1.hpp"
#include "math/g2.hpp"
#include "math/u256.hpp"
#include "snark/errors.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace provernet::snark {

// ------------------------------------------------------------------------------------------
// Read-only whole-file mapping.

class MappedFile {
public:
    // Maps `path` (a regular file) read-only; FormatError if it cannot be opened or read.
    static std::shared_ptr<const MappedFile> open(const std::string& path);
    // Wraps bytes already in memory (tests, in-memory parsing); `name` is used in messages.
    static std::shared_ptr<const MappedFile> from_bytes(std::string name, std::vector<uint8_t> bytes);

    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    const std::string& path() const { return path_; }
    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }
    std::span<const uint8_t> bytes() const { return {data_, size_t(size_)}; }

private:
    MappedFile() = default;
    std::string path_;
    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
    bool mapped_ = false;
    std::vector<uint8_t> heap_;
};

// ------------------------------------------------------------------------------------------
// Container reader.

struct SectionInfo {
    uint32_t type = 0;
    uint64_t offset = 0;  // of the payload, from the start of the file
    uint64_t size = 0;    // payload bytes
};

class BinFile {
public:
    // Opens `path`, checks the 4-character magic and min_version <= version <= max_version, and
    // parses the section table (every section must lie inside the file; no trailing bytes).
    static BinFile open(const std::string& path, std::string_view magic, uint32_t min_version, uint32_t max_version);
    static BinFile parse(std::shared_ptr<const MappedFile> file, std::string_view magic, uint32_t min_version,
                         uint32_t max_version);

    const std::string& path() const { return file_->path(); }
    uint32_t version() const { return version_; }
    uint64_t file_size() const { return file_->size(); }
    const std::vector<SectionInfo>& sections() const { return sections_; }
    const std::shared_ptr<const MappedFile>& mapping() const { return file_; }

    size_t count(uint32_t type) const;
    bool has(uint32_t type) const { return count(type) != 0; }
    // The payload of section `type`, which must occur exactly once. `name` labels messages:
    // "section 7 (B2) is missing".
    std::span<const uint8_t> section(uint32_t type, std::string_view name) const;
    // As section(), but nullopt when absent (still an error when duplicated).
    std::optional<std::span<const uint8_t>> optional_section(uint32_t type, std::string_view name) const;
    // FormatError if any of `types` occurs more than once.
    void reject_duplicates(std::initializer_list<uint32_t> types) const;

    [[noreturn]] void fail(const std::string& problem) const { throw FormatError(path(), problem); }

private:
    std::shared_ptr<const MappedFile> file_;
    uint32_t version_ = 0;
    std::vector<SectionInfo> sections_;
};

// "section 7 (B2)"
std::string section_label(uint32_t type, std::string_view name);

// Bounds-checked little-endian cursor over one section's payload.
class SectionReader {
public:
    SectionReader(const BinFile& file, uint32_t type, std::string_view name);  // the unique section
    SectionReader(std::string path, std::string label, std::span<const uint8_t> bytes);

    uint32_t u32();
    uint64_t u64();
    math::U256 u256();  // 32 bytes LE
    std::span<const uint8_t> bytes(uint64_t n);
    void skip(uint64_t n) { (void)bytes(n); }

    uint64_t offset() const { return pos_; }
    uint64_t size() const { return data_.size(); }
    uint64_t remaining() const { return data_.size() - pos_; }
    // FormatError unless the whole section has been consumed.
    void expect_end() const;
    // FormatError unless exactly n bytes remain.
    void expect_remaining(uint64_t n, std::string_view what) const;

    const std::string& path() const { return path_; }
    const std::string& label() const { return label_; }
    // Throws "<path>: <label>: <problem>".
    [[noreturn]] void fail(const std::string& problem) const;

private:
    std::string path_, label_;
    std::span<const uint8_t> data_;
    uint64_t pos_ = 0;
};

// ------------------------------------------------------------------------------------------
// Container writer: streams to `path.tmp-<pid>` and renames over `path` on finish().

class BinWriter {
public:
    BinWriter(std::string path, std::string_view magic, uint32_t version);
    ~BinWriter();  // removes the temporary file unless finish() succeeded
    BinWriter(const BinWriter&) = delete;
    BinWriter& operator=(const BinWriter&) = delete;

    void begin_section(uint32_t type);
    void end_section();
    void u32(uint32_t v);
    void u64(uint64_t v);
    void u256(const math::U256& v);
    void bytes(const void* p, size_t n);
    void zeros(size_t n);
    void finish();

private:
    [[noreturn]] void io_fail(const std::string& what);
    std::string path_, tmp_;
    std::FILE* f_ = nullptr;
    uint32_t n_sections_ = 0;
    bool in_section_ = false;
    long long section_start_ = 0;
    bool done_ = false;
};

// ------------------------------------------------------------------------------------------
// Curve points stored as little-endian Montgomery limbs (G1: x || y; G2: x.c0 x.c1 y.c0 y.c1),
// infinity as all zeros.

enum class G2Check {
    on_curve,  // coordinates canonical and on the twist (cheap)
    subgroup,  // additionally in the order-r subgroup (~0.3 ms a point)
};

// Copies `count` points from `src` (count * 64 bytes, any alignment) into `out` and checks
// every coordinate < q and every point on the curve (or all-zero), in parallel for large counts.
// On failure: FormatError "<path>: <label> point <i> is not on the curve" (the lowest bad i,
// numbered from index_base).
void load_g1_points(const std::string& path, std::string_view label, const uint8_t* src, size_t count,
                    math::G1Affine* out, uint64_t index_base = 0);
void load_g2_points(const std::string& path, std::string_view label, const uint8_t* src, size_t count,
                    math::G2Affine* out, G2Check check, uint64_t index_base = 0);
// Index of the first point of `pts` outside the G2 subgroup (parallel), or nullopt.
std::optional<size_t> find_g2_outside_subgroup(std::span<const math::G2Affine> pts);

// Runs fn(begin, end) over [0, n) split across up to hardware_concurrency() threads, each chunk
// at least `min_chunk` long; exceptions from fn are rethrown (the first chunk's first).
void parallel_for(size_t n, size_t min_chunk, const std::function<void(size_t, size_t)>& fn);

// ------------------------------------------------------------------------------------------
// `info`: sniffs the file type (binfile magic, or JSON) and returns the matching summary:
// r1cs_info, wtns_info, zkey_info, ptau_info or json_info. FormatError when the file is
// unrecognised or invalid.
std::string describe_file(const std::string& path);

// ------------------------------------------------------------------------------------------
// Small helpers shared by the readers.

// "1.5 MiB (1572864 bytes)"; with exact = false just "1.5 MiB".
std::string format_size(uint64_t bytes, bool exact = true);
// The four magic bytes, printable or as hex.
std::string printable_magic(std::span<const uint8_t> magic);
// Reads a little-endian integer from unaligned memory.
uint32_t load_u32(const uint8_t* p);
uint64_t load_u64(const uint8_t* p);
// Reads "u32 n8, prime[n8]" (the field description every format starts with) and checks that
// n8 == 32 and the prime is BN254's q (base field) or r (scalar field); `what` names the field
// in messages ("prime", "q", "r").
enum class Bn254Field { q, r };
void read_bn254_prime(SectionReader& rd, Bn254Field field, std::string_view what);
// Lists the section table: "1 (header, 40 bytes), 2 (witness, 1.3 KiB)".
std::string describe_sections(const BinFile& f, std::string_view (*name_of)(uint32_t));
// a * b, or nullopt on 64-bit overflow.
std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b);

}  // namespace provernet::snark
