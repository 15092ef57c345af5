#include "snark/r1cs.hpp"

#include "snark/binfile.hpp"

#include <limits>

namespace provernet::snark {

using math::Fr;
using math::U256;

namespace {

constexpr uint32_t kHeader = 1, kConstraints = 2, kWireMap = 3, kCustomGatesList = 4, kCustomGatesUses = 5;
constexpr uint64_t kTermBytes = 4 + 32;

std::string_view r1cs_section_name(uint32_t type)
{
    switch (type) {
    case kHeader:
        return "header";
    case kConstraints:
        return "constraints";
    case kWireMap:
        return "wire-to-label map";
    case kCustomGatesList:
        return "custom gates list";
    case kCustomGatesUses:
        return "custom gates applications";
    default:
        return "";
    }
}

R1csHeader parse_header(const BinFile& f)
{
    SectionReader rd(f, kHeader, r1cs_section_name(kHeader));
    read_bn254_prime(rd, Bn254Field::r, "prime");
    R1csHeader h;
    h.n_wires = rd.u32();
    h.n_pub_out = rd.u32();
    h.n_pub_in = rd.u32();
    h.n_prv_in = rd.u32();
    h.n_labels = rd.u64();
    h.n_constraints = rd.u32();
    rd.expect_end();
    if (h.n_wires == 0)
        rd.fail("nWires is 0 (wire 0, the constant 1, always exists)");
    const uint64_t inputs = uint64_t(h.n_pub_out) + h.n_pub_in + h.n_prv_in;
    if (inputs + 1 > h.n_wires)
        rd.fail("nPubOut + nPubIn + nPrvIn + 1 = " + std::to_string(inputs + 1) + " exceeds nWires = " +
                std::to_string(h.n_wires));
    return h;
}

BinFile open_r1cs(const std::string& path)
{
    BinFile f = BinFile::open(path, "r1cs", 1, 1);
    f.reject_duplicates({kHeader, kConstraints, kWireMap});
    return f;
}

void read_lc(SectionReader& rd, const R1csHeader& h, uint32_t constraint, char which, LinearCombination& lc)
{
    const uint32_t n = rd.u32();
    if (uint64_t(n) * kTermBytes > rd.remaining())
        rd.fail("constraint " + std::to_string(constraint) + " " + which + " declares " + std::to_string(n) +
                " terms, more than the " + std::to_string(rd.remaining()) + " remaining bytes can hold");
    lc.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
        const uint32_t wire = rd.u32();
        if (wire >= h.n_wires)
            rd.fail("constraint " + std::to_string(constraint) + " " + which + " term " + std::to_string(i) +
                    ": wire " + std::to_string(wire) + " >= nWires = " + std::to_string(h.n_wires));
        const auto coef = Fr::from_canonical(rd.u256());
        if (!coef)
            rd.fail("constraint " + std::to_string(constraint) + " " + which + " term " + std::to_string(i) +
                    ": coefficient is not canonical (>= r)");
        lc[i] = {wire, *coef};
    }
}

}  // namespace

R1csHeader read_r1cs_header(const std::string& path) { return parse_header(open_r1cs(path)); }

R1cs read_r1cs(const std::string& path)
{
    const BinFile f = open_r1cs(path);
    R1cs r;
    r.header = parse_header(f);
    const R1csHeader& h = r.header;

    SectionReader rd(f, kConstraints, r1cs_section_name(kConstraints));
    // Every constraint takes at least 3 term counts (12 bytes): bound the allocation first.
    if (uint64_t(h.n_constraints) * 12 > rd.size())
        rd.fail("header declares " + std::to_string(h.n_constraints) + " constraints but the section has only " +
                std::to_string(rd.size()) + " bytes");
    r.constraints.resize(h.n_constraints);
    for (uint32_t i = 0; i < h.n_constraints; ++i) {
        read_lc(rd, h, i, 'A', r.constraints[i].a);
        read_lc(rd, h, i, 'B', r.constraints[i].b);
        read_lc(rd, h, i, 'C', r.constraints[i].c);
    }
    rd.expect_end();

    if (auto map = f.optional_section(kWireMap, r1cs_section_name(kWireMap))) {
        SectionReader mr(path, section_label(kWireMap, r1cs_section_name(kWireMap)), *map);
        mr.expect_remaining(uint64_t(h.n_wires) * 8, std::to_string(h.n_wires) + " wires x 8-byte labels");
        r.wire_to_label.resize(h.n_wires);
        for (uint32_t i = 0; i < h.n_wires; ++i) {
            const uint64_t label = mr.u64();
            if (label >= h.n_labels)
                mr.fail("wire " + std::to_string(i) + " maps to label " + std::to_string(label) +
                        " >= nLabels = " + std::to_string(h.n_labels));
            r.wire_to_label[i] = label;
        }
    }
    return r;
}

void write_r1cs(const std::string& path, const R1cs& r)
{
    const R1csHeader& h = r.header;
    auto bad = [&](const std::string& why) { throw FormatError(path, "cannot write an inconsistent r1cs: " + why); };
    if (h.n_wires == 0)
        bad("n_wires is 0");
    if (uint64_t(h.n_pub_out) + h.n_pub_in + h.n_prv_in + 1 > h.n_wires)
        bad("more inputs and outputs than wires");
    if (r.constraints.size() != h.n_constraints)
        bad("header says " + std::to_string(h.n_constraints) + " constraints, have " +
            std::to_string(r.constraints.size()));
    if (!r.wire_to_label.empty() && r.wire_to_label.size() != h.n_wires)
        bad("wire_to_label has " + std::to_string(r.wire_to_label.size()) + " entries, n_wires is " +
            std::to_string(h.n_wires));
    for (size_t i = 0; i < r.wire_to_label.size(); ++i)
        if (r.wire_to_label[i] >= h.n_labels)
            bad("wire " + std::to_string(i) + " has label >= n_labels");
    if (r.wire_to_label.empty() && h.n_labels < h.n_wires)
        bad("identity wire map needs n_labels >= n_wires");
    for (size_t i = 0; i < r.constraints.size(); ++i)
        for (const LinearCombination* lc : {&r.constraints[i].a, &r.constraints[i].b, &r.constraints[i].c}) {
            if (lc->size() > std::numeric_limits<uint32_t>::max())
                bad("constraint " + std::to_string(i) + " has too many terms");
            for (const R1csTerm& t : *lc)
                if (t.wire >= h.n_wires)
                    bad("constraint " + std::to_string(i) + " uses wire " + std::to_string(t.wire) +
                        " >= n_wires");
        }

    BinWriter out(path, "r1cs", 1);
    out.begin_section(kHeader);
    out.u32(32);
    out.u256(Fr::modulus);
    out.u32(h.n_wires);
    out.u32(h.n_pub_out);
    out.u32(h.n_pub_in);
    out.u32(h.n_prv_in);
    out.u64(h.n_labels);
    out.u32(h.n_constraints);
    out.end_section();

    out.begin_section(kConstraints);
    for (const R1csConstraint& c : r.constraints)
        for (const LinearCombination* lc : {&c.a, &c.b, &c.c}) {
            out.u32(uint32_t(lc->size()));
            for (const R1csTerm& t : *lc) {
                out.u32(t.wire);
                out.u256(t.coef.to_u256());
            }
        }
    out.end_section();

    out.begin_section(kWireMap);
    for (uint32_t i = 0; i < h.n_wires; ++i)
        out.u64(r.wire_to_label.empty() ? uint64_t(i) : r.wire_to_label[i]);
    out.end_section();
    out.finish();
}

std::string r1cs_info(const std::string& path)
{
    const BinFile f = open_r1cs(path);
    const R1csHeader h = parse_header(f);
    const auto cons = f.section(kConstraints, r1cs_section_name(kConstraints));
    std::string s;
    s += "constraint system (.r1cs) " + path + "\n";
    s += "  file size:       " + format_size(f.file_size()) + "\n";
    s += "  version:         " + std::to_string(f.version()) + "\n";
    s += "  curve:           bn128 (prime r = " + Fr::modulus.to_decimal() + ")\n";
    s += "  wires:           " + std::to_string(h.n_wires) + "\n";
    s += "  public outputs:  " + std::to_string(h.n_pub_out) + "\n";
    s += "  public inputs:   " + std::to_string(h.n_pub_in) + "\n";
    s += "  private inputs:  " + std::to_string(h.n_prv_in) + "\n";
    s += "  labels:          " + std::to_string(h.n_labels) + "\n";
    s += "  constraints:     " + std::to_string(h.n_constraints) + " (" + format_size(cons.size(), false) + ")\n";
    s += "  wire map:        " + std::string(f.has(kWireMap) ? "present" : "absent") + "\n";
    if (f.has(kCustomGatesList) || f.has(kCustomGatesUses))
        s += "  custom gates:    present (PLONK-only sections, ignored)\n";
    s += "  sections:        " + describe_sections(f, r1cs_section_name) + "\n";
    return s;
}

}  // namespace provernet::snark
