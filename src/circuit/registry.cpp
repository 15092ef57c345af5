#include "circuit/registry.hpp"

#include "circuit/gadgets.hpp"
#include "circuit/merkle.hpp"
#include "circuit/poseidon.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <stdexcept>

namespace provernet::circuit {

void CircuitRegistry::add(CircuitSpec spec)
{
    if (find(spec.name))
        throw std::logic_error("circuit registered twice: " + spec.name);
    specs_.push_back(std::move(spec));
}

const CircuitSpec* CircuitRegistry::find(const std::string& name) const
{
    for (const CircuitSpec& s : specs_)
        if (s.name == name)
            return &s;
    return nullptr;
}

Builder build_circuit(const CircuitSpec& spec, const Inputs& inputs, Mode mode)
{
    Builder b(mode);
    spec.define(b, inputs);
    return b;
}

Builder build_constraint_system(const CircuitSpec& spec)
{
    return build_circuit(spec, Inputs(spec.example_input, spec.name + " example input"), Mode::full);
}

std::string structure_hash(const Builder& full_builder)
{
    const snark::R1cs r1cs = full_builder.r1cs();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    auto put_u32 = [&](uint32_t v) {
        uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
        EVP_DigestUpdate(ctx, b, 4);
    };
    const auto& h = r1cs.header;
    for (uint32_t v : {h.n_wires, h.n_pub_out, h.n_pub_in, h.n_prv_in, h.n_constraints})
        put_u32(v);
    for (const auto& c : r1cs.constraints)
        for (const auto* lc : {&c.a, &c.b, &c.c}) {
            put_u32(uint32_t(lc->size()));
            for (const auto& t : *lc) {
                put_u32(t.wire);
                uint8_t bytes[32];
                t.coef.to_u256().to_le_bytes(bytes);
                EVP_DigestUpdate(ctx, bytes, 32);
            }
        }
    unsigned char digest[32];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    std::string hex;
    char buf[3];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", digest[i]);
        hex += buf;
    }
    return hex;
}

namespace {

// poseidon-preimage: knowledge of two field elements hashing to a public value.
void define_poseidon_preimage(Builder& b, const Inputs& in)
{
    const auto pre = in.field_array("preimage", 2);
    const Signal x = b.private_input("preimage[0]", pre[0]);
    const Signal y = b.private_input("preimage[1]", pre[1]);
    b.public_output("hash", poseidon(b, x, y));
}

// merkle-membership-20: a private leaf at a private position of a depth-20 Poseidon Merkle tree
// with a public root.
constexpr unsigned membership_depth = 20;
void define_merkle_membership(Builder& b, const Inputs& in)
{
    const Signal root = b.public_input("root", in.field("root"));
    const Signal leaf = b.private_input("leaf", in.field("leaf"));
    const auto siblings = in.field_array("siblings", membership_depth);
    const Fr index = in.uint("index", membership_depth);
    std::vector<Signal> path, bits;
    const math::U256 index_int = index.to_u256();
    for (unsigned i = 0; i < membership_depth; ++i) {
        path.push_back(b.private_input("siblings[" + std::to_string(i) + "]", siblings[i]));
        bits.push_back(b.private_input("index_bit[" + std::to_string(i) + "]", Fr::from_uint(index_int.bit(i))));
    }
    try {
        assert_merkle_membership(b, leaf, path, bits, membership_depth, root);
    } catch (const ConstraintViolation&) {
        in.fail("root", "the leaf and siblings do not lead to this root");
    }
}

nlohmann::json merkle_example()
{
    MerkleTree tree(membership_depth);
    tree.set_leaf(5, Fr::from_uint(42));
    const MerkleProof proof = tree.proof(5);
    nlohmann::json j;
    j["root"] = tree.root().to_decimal();
    j["leaf"] = "42";
    j["index"] = 5;
    for (const Fr& s : proof.siblings)
        j["siblings"].push_back(s.to_decimal());
    return j;
}

}  // namespace

void register_example_circuits(CircuitRegistry& registry)
{
    registry.add({"poseidon-preimage", "knows two field elements whose Poseidon hash is the public output",
                  define_poseidon_preimage, nlohmann::json{{"preimage", {"1", "2"}}}});
    registry.add({"merkle-membership-20",
                  "knows a leaf and its position in a depth-20 Poseidon Merkle tree with the public root",
                  define_merkle_membership, merkle_example()});
}

}  // namespace provernet::circuit
