// Strict reading of JSON objects for commands, events and snapshots: every error names the
// object and the field, and fields the reader does not know are rejected (a signed command must
// mean exactly what it says).
//
// uint64 values are read from JSON integers or from strings of decimal digits; amounts are
// written as decimal strings (JavaScript numbers lose precision past 2^53), times, ids and
// counts as numbers.
#pragma once

#include "market/errors.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace provernet::market {

class JsonReader {
public:
    // `context` names the object in messages ("command \"lock\""); `code` is the error to raise.
    JsonReader(const nlohmann::json& json, std::string context, ErrorCode code);

    bool has(const char* name) const { return json_.contains(name); }
    uint64_t u64(const char* name);
    std::string string(const char* name);
    bool boolean(const char* name);
    const nlohmann::json& object(const char* name);
    const nlohmann::json& array(const char* name);
    // Every field of the object must have been read.
    void finish() const;

    [[noreturn]] void fail(const std::string& name, const std::string& problem) const;
    const std::string& context() const { return context_; }

private:
    const nlohmann::json& get(const char* name);

    const nlohmann::json& json_;
    std::string context_;
    ErrorCode code_;
    std::vector<std::string> read_;
};

// A uint64 from a JSON integer or decimal string; nullopt-free: throws MarketError(code) with
// "<context>: <problem>".
uint64_t parse_u64(const nlohmann::json& value, const std::string& context, ErrorCode code);

inline nlohmann::json amount_json(uint64_t amount) { return std::to_string(amount); }

}  // namespace provernet::market
