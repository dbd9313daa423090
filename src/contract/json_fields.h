// Reading checked fields of untrusted JSON objects (device descriptions, QoE batches, the
// playback service's levers): each error names the field, prefixed by what was being read.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace onair::contract {

inline Status BadField(const std::string& what, const std::string& field, const std::string& why) {
  return InvalidArgument(what + ": " + field + " " + why);
}

// An optional integer field inside [lo, hi]; absent leaves *out as is.
Status ReadInt(const nlohmann::json& j, const std::string& what, const char* field, int64_t lo,
               int64_t hi, int64_t* out);

// An optional array of at most `most` names of 1-32 printable characters (lowercased unless
// `keep_case`); absent leaves *out as is.
Status ReadNames(const nlohmann::json& j, const std::string& what, const char* field, size_t most,
                 std::vector<std::string>* out, bool keep_case = false);

bool Printable(std::string_view s);

// Checks names read from an array (1-32 printable characters each) and lowercases them
// unless `keep_case`.
Status CheckNames(std::vector<std::string>& names, const std::string& what, const char* field,
                  bool keep_case);

}  // namespace onair::contract
