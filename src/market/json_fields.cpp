#include "market/json_fields.hpp"

#include <algorithm>

namespace provernet::market {

uint64_t parse_u64(const nlohmann::json& value, const std::string& context, ErrorCode code) {
    if (value.is_number_unsigned()) return value.get<uint64_t>();
    if (value.is_number_integer()) {
        int64_t v = value.get<int64_t>();
        if (v < 0) throw MarketError(code, context + ": must not be negative");
        return static_cast<uint64_t>(v);
    }
    if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
            throw MarketError(code, context + ": \"" + s.substr(0, 40) + "\" is not a decimal uint64");
        unsigned __int128 v = 0;
        for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
        if (v > UINT64_MAX) throw MarketError(code, context + ": " + s + " overflows uint64");
        return static_cast<uint64_t>(v);
    }
    throw MarketError(code, context + ": must be an unsigned integer or a decimal string");
}

JsonReader::JsonReader(const nlohmann::json& json, std::string context, ErrorCode code)
    : json_(json), context_(std::move(context)), code_(code) {
    if (!json_.is_object()) throw MarketError(code_, context_ + ": must be a JSON object");
}

void JsonReader::fail(const std::string& name, const std::string& problem) const {
    throw MarketError(code_, context_ + ": field \"" + name + "\": " + problem);
}

const nlohmann::json& JsonReader::get(const char* name) {
    auto it = json_.find(name);
    if (it == json_.end()) fail(name, "missing");
    read_.emplace_back(name);
    return *it;
}

uint64_t JsonReader::u64(const char* name) {
    return parse_u64(get(name), context_ + ": field \"" + name + "\"", code_);
}

std::string JsonReader::string(const char* name) {
    const auto& v = get(name);
    if (!v.is_string()) fail(name, "must be a string");
    return v.get<std::string>();
}

bool JsonReader::boolean(const char* name) {
    const auto& v = get(name);
    if (!v.is_boolean()) fail(name, "must be true or false");
    return v.get<bool>();
}

const nlohmann::json& JsonReader::object(const char* name) {
    const auto& v = get(name);
    if (!v.is_object()) fail(name, "must be an object");
    return v;
}

const nlohmann::json& JsonReader::array(const char* name) {
    const auto& v = get(name);
    if (!v.is_array()) fail(name, "must be an array");
    return v;
}

void JsonReader::finish() const {
    for (auto it = json_.begin(); it != json_.end(); ++it)
        if (std::find(read_.begin(), read_.end(), it.key()) == read_.end())
            throw MarketError(code_, context_ + ": unknown field \"" + it.key() + "\"");
}

}  // namespace provernet::market
