#include "circuit/builder.hpp"

#include <algorithm>

namespace provernet::circuit {

namespace {

// Merges two sorted term lists as x*ka + y*kb, dropping zero coefficients.
std::vector<Term> combine(const std::vector<Term>& x, const Fr& kx, const std::vector<Term>& y, const Fr& ky)
{
    std::vector<Term> out;
    out.reserve(x.size() + y.size());
    size_t i = 0, j = 0;
    auto push = [&](uint32_t wire, const Fr& c) {
        if (!c.is_zero())
            out.push_back({wire, c});
    };
    while (i < x.size() || j < y.size()) {
        if (j == y.size() || (i < x.size() && x[i].wire < y[j].wire)) {
            push(x[i].wire, x[i].coef * kx);
            ++i;
        } else if (i == x.size() || y[j].wire < x[i].wire) {
            push(y[j].wire, y[j].coef * ky);
            ++j;
        } else {
            push(x[i].wire, x[i].coef * kx + y[j].coef * ky);
            ++i;
            ++j;
        }
    }
    return out;
}

Fr evaluate(const std::vector<Term>& terms, const std::vector<Fr>& values)
{
    Fr acc = Fr::zero();
    for (const Term& t : terms)
        acc += t.coef * values[t.wire];
    return acc;
}

}  // namespace

Signal operator+(const Signal& a, const Signal& b)
{
    Signal r;
    r.value_ = a.value_ + b.value_;
    r.constant_ = a.constant_ && b.constant_;
    r.recorded_ = a.recorded_ && b.recorded_;
    if (r.recorded_)
        r.terms_ = combine(a.terms_, Fr::one(), b.terms_, Fr::one());
    return r;
}

Signal operator-(const Signal& a, const Signal& b)
{
    Signal r;
    r.value_ = a.value_ - b.value_;
    r.constant_ = a.constant_ && b.constant_;
    r.recorded_ = a.recorded_ && b.recorded_;
    if (r.recorded_)
        r.terms_ = combine(a.terms_, Fr::one(), b.terms_, -Fr::one());
    return r;
}

Signal operator-(const Signal& a) { return Signal() - a; }

Signal operator*(const Signal& a, const Fr& k)
{
    Signal r;
    r.value_ = a.value_ * k;
    r.constant_ = a.constant_;
    r.recorded_ = a.recorded_;
    if (r.recorded_ && !k.is_zero()) {
        r.terms_ = a.terms_;
        for (Term& t : r.terms_)
            t.coef *= k;
    }
    return r;
}

Builder::Builder(Mode mode) : mode_(mode)
{
    kinds_.push_back(WireKind::one);
    values_.push_back(Fr::one());
}

Signal Builder::constant(const Fr& c)
{
    Signal s;
    s.value_ = c;
    s.constant_ = true;
    s.recorded_ = true;
    if (!c.is_zero())
        s.terms_.push_back({0, c});
    return s;
}

Signal Builder::new_wire(WireKind kind, const Fr& value)
{
    const uint32_t id = uint32_t(kinds_.size());
    kinds_.push_back(kind);
    values_.push_back(value);
    Signal s;
    s.value_ = value;
    s.constant_ = false;
    s.recorded_ = recording();
    if (s.recorded_)
        s.terms_.push_back({id, Fr::one()});
    return s;
}

Signal Builder::public_input(const std::string& name, const Fr& value)
{
    Signal s = new_wire(WireKind::public_input, value);
    public_inputs_.emplace_back(name, uint32_t(kinds_.size() - 1));
    return s;
}

Signal Builder::private_input(const std::string&, const Fr& value) { return new_wire(WireKind::private_input, value); }

void Builder::public_output(const std::string& name, const Signal& s)
{
    const Signal out = new_wire(WireKind::public_output, s.value());
    public_outputs_.emplace_back(name, uint32_t(kinds_.size() - 1));
    assert_equal(out, s, "public output");
}

Signal Builder::witness(const Fr& value) { return new_wire(WireKind::internal, value); }

Signal Builder::mul(const Signal& a, const Signal& b)
{
    if (a.is_constant())
        return b * a.value();
    if (b.is_constant())
        return a * b.value();
    const Signal c = new_wire(WireKind::internal, a.value() * b.value());
    add_constraint(a, b, c);
    return c;
}

void Builder::assert_product(const Signal& a, const Signal& b, const Signal& c, const char* what)
{
    if (a.value() * b.value() != c.value())
        throw ConstraintViolation(std::string("constraint not satisfied: ") + what);
    add_constraint(a, b, c);
}

void Builder::assert_equal(const Signal& a, const Signal& b, const char* what)
{
    assert_product(a - b, constant(1), Signal(), what);
}

void Builder::add_constraint(const Signal& a, const Signal& b, const Signal& c)
{
    ++n_constraints_;
    if (recording())
        constraints_.push_back({a.terms_, b.terms_, c.terms_});
}

std::vector<uint32_t> Builder::export_order() const
{
    // Stable by kind: one, outputs, public inputs, private inputs, internal.
    std::vector<uint32_t> by_kind(kinds_.size());
    for (uint32_t i = 0; i < by_kind.size(); ++i)
        by_kind[i] = i;
    std::stable_sort(by_kind.begin(), by_kind.end(),
                     [&](uint32_t x, uint32_t y) { return uint8_t(kinds_[x]) < uint8_t(kinds_[y]); });
    std::vector<uint32_t> position(kinds_.size());
    for (uint32_t k = 0; k < by_kind.size(); ++k)
        position[by_kind[k]] = k;
    return position;
}

snark::R1cs Builder::r1cs() const
{
    if (!recording())
        throw std::logic_error("r1cs() needs a builder in Mode::full");
    const std::vector<uint32_t> pos = export_order();
    snark::R1cs out;
    auto& h = out.header;
    h.n_wires = uint32_t(kinds_.size());
    h.n_pub_out = uint32_t(public_outputs_.size());
    h.n_pub_in = uint32_t(public_inputs_.size());
    h.n_prv_in = uint32_t(std::count(kinds_.begin(), kinds_.end(), WireKind::private_input));
    h.n_labels = h.n_wires;
    h.n_constraints = uint32_t(constraints_.size());
    auto convert = [&](const std::vector<Term>& terms) {
        snark::LinearCombination lc;
        lc.reserve(terms.size());
        for (const Term& t : terms)
            lc.push_back({pos[t.wire], t.coef});
        std::sort(lc.begin(), lc.end(), [](const auto& x, const auto& y) { return x.wire < y.wire; });
        return lc;
    };
    out.constraints.reserve(constraints_.size());
    for (const Constraint& c : constraints_)
        out.constraints.push_back({convert(c.a), convert(c.b), convert(c.c)});
    out.wire_to_label.resize(h.n_wires);
    for (uint32_t w = 0; w < h.n_wires; ++w)
        out.wire_to_label[pos[w]] = w;
    return out;
}

snark::Witness Builder::witness_file() const
{
    const std::vector<uint32_t> pos = export_order();
    snark::Witness w;
    w.values.resize(values_.size());
    for (size_t i = 0; i < values_.size(); ++i)
        w.values[pos[i]] = values_[i].to_u256();
    return w;
}

std::vector<std::string> Builder::public_names() const
{
    std::vector<std::string> names;
    for (const auto& [name, wire] : public_outputs_)
        names.push_back(name);
    for (const auto& [name, wire] : public_inputs_)
        names.push_back(name);
    return names;
}

std::vector<Fr> Builder::public_values() const
{
    std::vector<Fr> v;
    for (const auto& [name, wire] : public_outputs_)
        v.push_back(values_[wire]);
    for (const auto& [name, wire] : public_inputs_)
        v.push_back(values_[wire]);
    return v;
}

std::optional<size_t> Builder::first_violation(const std::vector<Fr>& values) const
{
    for (size_t i = 0; i < constraints_.size(); ++i) {
        const Constraint& c = constraints_[i];
        if (evaluate(c.a, values) * evaluate(c.b, values) != evaluate(c.c, values))
            return i;
    }
    return std::nullopt;
}

std::optional<uint32_t> Builder::single_wire(const Signal& s)
{
    if (s.terms_.size() == 1 && s.terms_[0].coef.is_one() && s.terms_[0].wire != 0)
        return s.terms_[0].wire;
    return std::nullopt;
}

}  // namespace provernet::circuit
