#include "contract/json_fields.h"

#include <algorithm>

namespace onair::contract {

using json = nlohmann::json;

bool Printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Status ReadInt(const json& j, const std::string& what, const char* field, int64_t lo, int64_t hi,
               int64_t* out) {
  auto it = j.find(field);
  if (it == j.end()) return Status::Ok();
  const Status range =
      BadField(what, field,
               "must be a whole number within " + std::to_string(lo) + ".." + std::to_string(hi));
  if (!it->is_number_integer()) return range;
  if (it->is_number_unsigned()) {
    const uint64_t v = it->get<uint64_t>();
    if (v < static_cast<uint64_t>(lo) || v > static_cast<uint64_t>(hi)) return range;
    *out = static_cast<int64_t>(v);
  } else {
    const int64_t v = it->get<int64_t>();
    if (v < lo || v > hi) return range;
    *out = v;
  }
  return Status::Ok();
}

Status CheckNames(std::vector<std::string>& names, const std::string& what, const char* field,
                  bool keep_case) {
  for (std::string& s : names) {
    if (s.empty() || s.size() > 32 || !Printable(s)) {
      return BadField(what, field, "must hold names of 1-32 printable characters");
    }
    if (!keep_case) {
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char c) { return std::tolower(c); });
    }
  }
  return Status::Ok();
}

Status ReadNames(const json& j, const std::string& what, const char* field, size_t most,
                 std::vector<std::string>* out, bool keep_case) {
  auto it = j.find(field);
  if (it == j.end()) return Status::Ok();
  if (!it->is_array() || it->size() > most) {
    return BadField(what, field,
                    "must be an array of at most " + std::to_string(most) + " strings");
  }
  std::vector<std::string> names;
  for (const json& v : *it) {
    if (!v.is_string())
      return BadField(what, field, "must hold names of 1-32 printable characters");
    names.push_back(v.get<std::string>());
  }
  ONAIR_RETURN_IF_ERROR(CheckNames(names, what, field, keep_case));
  *out = std::move(names);
  return Status::Ok();
}

}  // namespace onair::contract
