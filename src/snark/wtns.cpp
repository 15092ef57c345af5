#include "snark/wtns.hpp"

#include "math/bn254.hpp"
#include "snark/binfile.hpp"

#include <cstring>
#include <limits>

namespace provernet::snark {

using math::Fr;
using math::U256;

namespace {

constexpr uint32_t kHeader = 1, kValues = 2;

std::string_view wtns_section_name(uint32_t type)
{
    switch (type) {
    case kHeader:
        return "header";
    case kValues:
        return "witness values";
    default:
        return "";
    }
}

struct Parsed {
    BinFile file;
    WitnessHeader header;
    std::span<const uint8_t> values;
};

Parsed parse(const std::string& path)
{
    BinFile f = BinFile::open(path, "wtns", 1, 2);
    WitnessHeader h;
    h.version = f.version();
    SectionReader rd(f, kHeader, wtns_section_name(kHeader));
    read_bn254_prime(rd, Bn254Field::r, "prime");
    h.n_values = rd.u32();
    rd.expect_end();
    const auto values = f.section(kValues, wtns_section_name(kValues));
    const uint64_t need = uint64_t(h.n_values) * 32;
    if (values.size() != need)
        f.fail(section_label(kValues, wtns_section_name(kValues)) + " is " + std::to_string(values.size()) +
               " bytes but the header declares " + std::to_string(h.n_values) + " values of 32 bytes (" +
               std::to_string(need) + " bytes)");
    return {std::move(f), h, values};
}

}  // namespace

WitnessHeader read_wtns_header(const std::string& path) { return parse(path).header; }

Witness read_wtns(const std::string& path)
{
    const Parsed p = parse(path);
    Witness w;
    w.values.resize(p.header.n_values);
    static_assert(sizeof(U256) == 32);
    if (p.header.n_values != 0)
        std::memcpy(static_cast<void*>(w.values.data()), p.values.data(), p.values.size());
    for (size_t i = 0; i < w.values.size(); ++i)
        if (w.values[i] >= Fr::modulus)
            p.file.fail(section_label(kValues, wtns_section_name(kValues)) + ": value " + std::to_string(i) +
                        " is not canonical (>= r)");
    return w;
}

void write_wtns(const std::string& path, const Witness& w)
{
    if (w.values.size() > std::numeric_limits<uint32_t>::max())
        throw FormatError(path, "too many witness values for the format (" + std::to_string(w.values.size()) + ")");
    for (size_t i = 0; i < w.values.size(); ++i)
        if (w.values[i] >= Fr::modulus)
            throw FormatError(path, "cannot write: witness value " + std::to_string(i) + " is not canonical (>= r)");
    BinWriter out(path, "wtns", 2);
    out.begin_section(kHeader);
    out.u32(32);
    out.u256(Fr::modulus);
    out.u32(uint32_t(w.values.size()));
    out.end_section();
    out.begin_section(kValues);
    out.bytes(w.values.data(), w.values.size() * sizeof(U256));
    out.end_section();
    out.finish();
}

std::string wtns_info(const std::string& path)
{
    const Parsed p = parse(path);
    std::string s;
    s += "witness (.wtns) " + path + "\n";
    s += "  file size:      " + format_size(p.file.file_size()) + "\n";
    s += "  version:        " + std::to_string(p.header.version) + "\n";
    s += "  curve:          bn128 (prime r = " + Fr::modulus.to_decimal() + ")\n";
    s += "  witness values: " + std::to_string(p.header.n_values) + "\n";
    s += "  sections:       " + describe_sections(p.file, wtns_section_name) + "\n";
    return s;
}

}  // namespace provernet::snark
