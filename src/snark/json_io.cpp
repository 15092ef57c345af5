#include "snark/json_io.hpp"

#include "snark/binfile.hpp"

#include "snark/errors.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace provernet::snark {

using math::Fq;
using math::Fq2;
using math::Fr;
using math::G1Affine;
using math::G2Affine;
using math::U256;
using ojson = nlohmann::ordered_json;
using json = nlohmann::json;

namespace {

constexpr size_t kMaxDepth = 16;

// ---------------------------------------------------------------------------- writing

ojson g1_json(const G1Affine& p)
{
    if (p.is_infinity())
        return ojson::array({"0", "1", "0"});
    return ojson::array({p.x.to_decimal(), p.y.to_decimal(), "1"});
}

ojson fq2_json(const Fq2& a) { return ojson::array({a.c0.to_decimal(), a.c1.to_decimal()}); }

ojson g2_json(const G2Affine& p)
{
    if (p.is_infinity())
        return ojson::array({ojson::array({"0", "0"}), ojson::array({"1", "0"}), ojson::array({"0", "0"})});
    return ojson::array({fq2_json(p.x), fq2_json(p.y), ojson::array({"1", "0"})});
}

std::string dump(const ojson& j) { return j.dump(1); }

void write_text(const std::string& path, const std::string& text)
{
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr)
        throw FormatError(path, std::string("cannot create: ") + std::strerror(errno));
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const int e = errno;
    if (std::fclose(f) != 0 || !ok) {
        std::remove(tmp.c_str());
        throw FormatError(path, std::string("cannot write: ") + std::strerror(ok ? errno : e));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e2 = errno;
        std::remove(tmp.c_str());
        throw FormatError(path, std::string("cannot rename the temporary file: ") + std::strerror(e2));
    }
}

// ---------------------------------------------------------------------------- reading

std::string read_text(const std::string& path, uint64_t max_bytes)
{
    // MappedFile does the opening and its checks (exists, regular file) with the same messages.
    const auto file = MappedFile::open(path);
    if (file->size() > max_bytes)
        throw FormatError(path, "file is " + std::to_string(file->size()) + " bytes, larger than the " +
                                    std::to_string(max_bytes) + "-byte limit for this kind of file");
    return std::string(reinterpret_cast<const char*>(file->data()), size_t(file->size()));
}

class Parser {
public:
    explicit Parser(std::string name) : name_(std::move(name)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& problem) const
    {
        throw FormatError(name_, where.empty() ? problem : where + ": " + problem);
    }

    json parse(std::string_view text, uint64_t max_bytes) const
    {
        if (text.size() > max_bytes)
            fail("", "input is " + std::to_string(text.size()) + " bytes, larger than the " +
                         std::to_string(max_bytes) + "-byte limit");
        // Bound the nesting depth before building a tree (our shapes are at most 4 deep).
        size_t depth = 0;
        bool in_string = false, escaped = false;
        for (const char ch : text) {
            if (in_string) {
                if (escaped)
                    escaped = false;
                else if (ch == '\\')
                    escaped = true;
                else if (ch == '"')
                    in_string = false;
                continue;
            }
            if (ch == '"')
                in_string = true;
            else if (ch == '[' || ch == '{') {
                if (++depth > kMaxDepth)
                    fail("", "malformed JSON: nested more than " + std::to_string(kMaxDepth) + " levels deep");
            } else if ((ch == ']' || ch == '}') && depth > 0)
                --depth;
        }
        try {
            return json::parse(text.begin(), text.end());
        } catch (const json::exception& e) {
            std::string msg = e.what();
            if (msg.size() > 300)
                msg = msg.substr(0, 300) + "...";
            fail("", "malformed JSON: " + msg);
        }
    }

    static const char* type_name(const json& j)
    {
        if (j.is_number())
            return "a number";
        if (j.is_string())
            return "a string";
        if (j.is_array())
            return "an array";
        if (j.is_object())
            return "an object";
        if (j.is_boolean())
            return "a boolean";
        return "null";
    }

    const json& key(const json& obj, const char* k) const
    {
        const auto it = obj.find(k);
        if (it == obj.end())
            fail("", std::string("missing key \"") + k + "\"");
        return *it;
    }

    void array_of(const json& j, size_t n, const std::string& where) const
    {
        if (!j.is_array())
            fail(where, std::string("expected an array of ") + std::to_string(n) + " elements, got " + type_name(j));
        if (j.size() != n)
            fail(where, "expected " + std::to_string(n) + " elements, got " + std::to_string(j.size()));
    }

    // A decimal string (digits only) whose value is < bound.
    U256 decimal(const json& j, const std::string& where, const U256& bound, const char* bound_name) const
    {
        if (!j.is_string())
            fail(where, std::string("expected a decimal string, got ") + type_name(j));
        const std::string& s = j.get_ref<const std::string&>();
        const auto v = U256::from_decimal(s);
        if (!v) {
            std::string shown = s.size() > 40 ? s.substr(0, 40) + "..." : s;
            for (char& c : shown)
                if (static_cast<unsigned char>(c) < 0x20)
                    c = '?';
            fail(where, "\"" + shown + "\" is not a decimal integer below 2^256");
        }
        if (*v >= bound)
            fail(where, std::string("value is not canonical (>= ") + bound_name + ")");
        return *v;
    }

    Fq fq(const json& j, const std::string& where) const
    {
        return Fq::from_u256_unchecked(decimal(j, where, Fq::modulus, "q"));
    }

    static bool is_literal(const json& j, const char* s)
    {
        return j.is_string() && j.get_ref<const std::string&>() == s;
    }

    G1Affine g1(const json& j, const std::string& where) const
    {
        array_of(j, 3, where);
        const Fq x = fq(j[0], where + "[0]"), y = fq(j[1], where + "[1]");
        if (is_literal(j[2], "0")) {
            // snarkjs writes the point at infinity projectively as ["0","1","0"].
            if (x.is_zero() && y == Fq::one())
                return G1Affine::infinity();
            fail(where, "projective coordinate \"0\" is only allowed for the point at infinity [\"0\",\"1\",\"0\"]");
        }
        if (!is_literal(j[2], "1"))
            fail(where + "[2]", "projective coordinate must be \"1\" (affine point)");
        const G1Affine p{x, y};
        if (p.is_infinity() || !p.is_on_curve())
            fail(where, "point is not on the curve");
        return p;
    }

    Fq2 fq2(const json& j, const std::string& where) const
    {
        array_of(j, 2, where);
        return {fq(j[0], where + "[0]"), fq(j[1], where + "[1]")};
    }

    G2Affine g2(const json& j, const std::string& where) const
    {
        array_of(j, 3, where);
        const Fq2 x = fq2(j[0], where + "[0]"), y = fq2(j[1], where + "[1]");
        const Fq2 z = fq2(j[2], where + "[2]");
        if (z.is_zero()) {
            if (x.is_zero() && y == Fq2::one())
                return G2Affine::infinity();
            fail(where, "projective coordinate [\"0\",\"0\"] is only allowed for the point at infinity");
        }
        if (!(is_literal(j[2][0], "1") && is_literal(j[2][1], "0")))
            fail(where + "[2]", "projective coordinate must be [\"1\",\"0\"] (affine point)");
        const G2Affine p{x, y};
        if (p.is_infinity() || !p.is_on_curve())
            fail(where, "point is not on the curve");
        if (!p.is_valid())
            fail(where, "point is not in the G2 subgroup");
        return p;
    }

    void protocol_and_curve(const json& root, bool curve_required) const
    {
        const json& protocol = key(root, "protocol");
        if (!protocol.is_string())
            fail("protocol", std::string("expected a string, got ") + type_name(protocol));
        if (protocol.get_ref<const std::string&>() != "groth16")
            fail("protocol", "\"" + protocol.get<std::string>().substr(0, 40) + "\" is not supported (only groth16)");
        const auto it = root.find("curve");
        if (it == root.end()) {
            if (curve_required)
                fail("", "missing key \"curve\"");
            return;
        }
        if (!it->is_string())
            fail("curve", std::string("expected a string, got ") + type_name(*it));
        std::string c = it->get<std::string>();
        for (char& ch : c)
            ch = char(std::tolower(static_cast<unsigned char>(ch)));
        if (c != "bn128" && c != "bn254" && c != "altbn128" && c != "alt_bn128")
            fail("curve", "\"" + it->get<std::string>().substr(0, 40) + "\" is not supported (only bn128)");
    }

    void object(const json& root) const
    {
        if (!root.is_object())
            fail("", std::string("expected a JSON object at the top level, got ") + type_name(root));
    }

private:
    std::string name_;
};

}  // namespace

// ---------------------------------------------------------------------------- public API

std::string proof_to_json(const Proof& proof)
{
    ojson j;
    j["pi_a"] = g1_json(proof.a);
    j["pi_b"] = g2_json(proof.b);
    j["pi_c"] = g1_json(proof.c);
    j["protocol"] = "groth16";
    j["curve"] = "bn128";
    return dump(j);
}

std::string public_to_json(std::span<const U256> signals)
{
    ojson j = ojson::array();
    for (size_t i = 0; i < signals.size(); ++i) {
        if (signals[i] >= Fr::modulus)
            throw std::invalid_argument("public signal " + std::to_string(i) + " is not canonical (>= r)");
        j.push_back(signals[i].to_decimal());
    }
    return dump(j);
}

std::string verification_key_to_json(const VerificationKey& vk)
{
    if (vk.ic.size() != uint64_t(vk.n_public) + 1)
        throw std::invalid_argument("verification key has " + std::to_string(vk.ic.size()) + " IC points for nPublic " +
                                    std::to_string(vk.n_public));
    ojson j;
    j["protocol"] = "groth16";
    j["curve"] = "bn128";
    j["nPublic"] = vk.n_public;
    j["vk_alpha_1"] = g1_json(vk.alpha1);
    j["vk_beta_2"] = g2_json(vk.beta2);
    j["vk_gamma_2"] = g2_json(vk.gamma2);
    j["vk_delta_2"] = g2_json(vk.delta2);
    ojson ab = ojson::array();
    for (int half = 0; half < 2; ++half) {
        ojson h = ojson::array();
        for (int k = 0; k < 3; ++k) {
            const size_t i = size_t(half * 6 + k * 2);
            h.push_back(ojson::array({vk.alphabeta12[i].to_decimal(), vk.alphabeta12[i + 1].to_decimal()}));
        }
        ab.push_back(std::move(h));
    }
    j["vk_alphabeta_12"] = std::move(ab);
    ojson ic = ojson::array();
    for (const G1Affine& p : vk.ic)
        ic.push_back(g1_json(p));
    j["IC"] = std::move(ic);
    return dump(j);
}

void write_proof_json(const std::string& path, const Proof& proof) { write_text(path, proof_to_json(proof)); }

void write_public_json(const std::string& path, std::span<const U256> signals)
{
    std::string text;
    try {
        text = public_to_json(signals);
    } catch (const std::invalid_argument& e) {
        throw FormatError(path, std::string("cannot write: ") + e.what());
    }
    write_text(path, text);
}

void write_verification_key_json(const std::string& path, const VerificationKey& vk)
{
    std::string text;
    try {
        text = verification_key_to_json(vk);
    } catch (const std::invalid_argument& e) {
        throw FormatError(path, std::string("cannot write: ") + e.what());
    }
    write_text(path, text);
}

Proof parse_proof_json(std::string_view text, const std::string& name)
{
    return proof_from_json(Parser(name).parse(text, kMaxProofJsonBytes), name);
}

Proof proof_from_json(const json& root, const std::string& name)
{
    const Parser p(name);
    p.object(root);
    p.protocol_and_curve(root, false);
    Proof proof;
    proof.a = p.g1(p.key(root, "pi_a"), "pi_a");
    proof.b = p.g2(p.key(root, "pi_b"), "pi_b");
    proof.c = p.g1(p.key(root, "pi_c"), "pi_c");
    return proof;
}

std::vector<U256> parse_public_json(std::string_view text, const std::string& name)
{
    return public_signals_from_json(Parser(name).parse(text, kMaxPublicJsonBytes), name);
}

std::vector<U256> public_signals_from_json(const json& root, const std::string& name)
{
    const Parser p(name);
    if (!root.is_array())
        p.fail("", std::string("expected a JSON array of decimal strings, got ") + Parser::type_name(root));
    if (root.size() > kMaxPublicSignals)
        p.fail("", std::to_string(root.size()) + " public signals, more than the limit " +
                       std::to_string(kMaxPublicSignals));
    std::vector<U256> out;
    out.reserve(root.size());
    for (size_t i = 0; i < root.size(); ++i)
        out.push_back(p.decimal(root[i], "public signal " + std::to_string(i), Fr::modulus, "r"));
    return out;
}

VerificationKey parse_verification_key_json(std::string_view text, const std::string& name)
{
    const Parser p(name);
    const json root = p.parse(text, kMaxVkJsonBytes);
    p.object(root);
    p.protocol_and_curve(root, true);
    VerificationKey vk;
    const json& n = p.key(root, "nPublic");
    if (!n.is_number_unsigned())
        p.fail("nPublic", std::string("expected a non-negative integer, got ") + Parser::type_name(n));
    const uint64_t n_public = n.get<uint64_t>();
    if (n_public > kMaxPublicSignals)
        p.fail("nPublic", std::to_string(n_public) + " exceeds the limit " + std::to_string(kMaxPublicSignals));
    vk.n_public = uint32_t(n_public);
    vk.alpha1 = p.g1(p.key(root, "vk_alpha_1"), "vk_alpha_1");
    vk.beta2 = p.g2(p.key(root, "vk_beta_2"), "vk_beta_2");
    vk.gamma2 = p.g2(p.key(root, "vk_gamma_2"), "vk_gamma_2");
    vk.delta2 = p.g2(p.key(root, "vk_delta_2"), "vk_delta_2");
    const json& ab = p.key(root, "vk_alphabeta_12");
    p.array_of(ab, 2, "vk_alphabeta_12");
    for (size_t half = 0; half < 2; ++half) {
        const std::string w = "vk_alphabeta_12[" + std::to_string(half) + "]";
        p.array_of(ab[half], 3, w);
        for (size_t k = 0; k < 3; ++k) {
            const std::string wk = w + "[" + std::to_string(k) + "]";
            const Fq2 e = p.fq2(ab[half][k], wk);
            vk.alphabeta12[half * 6 + k * 2] = e.c0;
            vk.alphabeta12[half * 6 + k * 2 + 1] = e.c1;
        }
    }
    const json& ic = p.key(root, "IC");
    p.array_of(ic, size_t(n_public + 1), "IC (nPublic + 1 points)");
    vk.ic.reserve(ic.size());
    for (size_t i = 0; i < ic.size(); ++i)
        vk.ic.push_back(p.g1(ic[i], "IC[" + std::to_string(i) + "]"));
    return vk;
}

Proof read_proof_json(const std::string& path) { return parse_proof_json(read_text(path, kMaxProofJsonBytes), path); }

std::vector<U256> read_public_json(const std::string& path)
{
    return parse_public_json(read_text(path, kMaxPublicJsonBytes), path);
}

VerificationKey read_verification_key_json(const std::string& path)
{
    return parse_verification_key_json(read_text(path, kMaxVkJsonBytes), path);
}

std::string json_info(const std::string& path)
{
    const std::string text = read_text(path, kMaxVkJsonBytes);
    size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        ++i;
    if (i < text.size() && text[i] == '[') {
        const auto sig = parse_public_json(text, path);
        return "public signals (JSON) " + path + "\n  signals:  " + std::to_string(sig.size()) + "\n";
    }
    if (text.find("\"pi_a\"") != std::string::npos) {
        (void)parse_proof_json(text, path);
        return "Groth16 proof (JSON) " + path + "\n  curve:    bn128\n  status:   well-formed; points on the curve, "
                                                "pi_b in the G2 subgroup\n";
    }
    if (text.find("\"vk_alpha_1\"") != std::string::npos) {
        const auto vk = parse_verification_key_json(text, path);
        return "Groth16 verification key (JSON) " + path + "\n  curve:    bn128\n  nPublic:  " +
               std::to_string(vk.n_public) + "\n  IC:       " + std::to_string(vk.ic.size()) + " points\n";
    }
    throw FormatError(path, "not a recognised JSON artefact (expected a proof, public signals or a verification key)");
}

}  // namespace provernet::snark
