#include "contract/request_log.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace onair::contract {

using nlohmann::json;

namespace {

constexpr size_t kMostLine = 1 << 20;

bool TokenLike(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  static constexpr std::array<std::string_view, 9> kExact = {
      "sig", "signature", "auth", "key", "hdnts", "hdnea", "policy", "jwt", "password"};
  if (std::find(kExact.begin(), kExact.end(), n) != kExact.end()) return true;
  return n.find("token") != std::string::npos || n.find("secret") != std::string::npos ||
         n.find("credential") != std::string::npos;
}

void StripMembers(json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (TokenLike(it.key())) {
        it = j.erase(it);
      } else {
        StripMembers(*it);
        ++it;
      }
    }
  } else if (j.is_array()) {
    for (json& e : j) StripMembers(e);
  }
}

Status Bad(const char* field, const std::string& why) {
  return InvalidArgument(std::string(field) + ": " + why);
}

// A string member of at most `most` bytes; absent leaves *out as is unless `required`.
Status ReadString(const json& j, const char* field, size_t most, bool required, std::string* out) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return required ? Bad(field, "required") : Status::Ok();
  if (!it->is_string()) return Bad(field, "must be a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > most) return Bad(field, "longer than " + std::to_string(most) + " bytes");
  *out = s;
  return Status::Ok();
}

Status ReadWhole(const json& j, const char* field, int64_t lo, int64_t hi, bool required,
                 int64_t* out) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return required ? Bad(field, "required") : Status::Ok();
  if (!it->is_number_integer()) return Bad(field, "must be a whole number");
  const int64_t v =
      it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX ? INT64_MAX : it->get<int64_t>();
  if (v < lo || v > hi) {
    return Bad(field, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  *out = v;
  return Status::Ok();
}

}  // namespace

std::string TargetWithoutTokens(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q));
  std::string_view query = target.substr(q + 1);
  char sep = '?';
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty() || TokenLike(pair.substr(0, pair.find('=')))) continue;
    out += sep;
    out += pair;
    sep = '&';
  }
  return out;
}

std::string JsonWithoutTokens(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !(j.is_object() || j.is_array())) return "";
  StripMembers(j);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string FormatRequestRecord(const RequestRecord& r) {
  nlohmann::ordered_json j = {{"time", FormatUtc(r.at, true)},
                              {"at_us", r.at},
                              {"service", r.service},
                              {"host", r.host},
                              {"client", r.client},
                              {"method", r.method},
                              {"target", r.target},
                              {"status", r.status},
                              {"bytes", r.bytes},
                              {"total_us", r.total_us}};
  if (!r.priority.empty()) j["priority"] = r.priority;
  if (!r.content_type.empty()) j["content_type"] = r.content_type;
  if (r.body_bytes > 0) j["body_bytes"] = r.body_bytes;
  if (!r.cache.empty()) j["cache"] = r.cache;
  if (r.first_byte_us >= 0) j["first_byte_us"] = r.first_byte_us;
  std::string line = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (!r.body.empty()) {
    // The body as it is (our own compact JSON), spliced in rather than parsed again.
    line.pop_back();
    line += ",\"body\":";
    line += r.body;
    line += '}';
  }
  return line;
}

StatusOr<RequestRecord> ParseRequestRecord(std::string_view line) {
  if (line.size() > kMostLine) return InvalidArgument("longer than 1 MiB");
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("not JSON");
  if (!j.is_object()) return InvalidArgument("not a JSON object");
  RequestRecord r;
  constexpr int64_t kYear9999 = 253'402'300'799'000'000;
  constexpr int64_t kDay = 86'400'000'000;
  int64_t v = 0;
  if (Status s = ReadWhole(j, "at_us", 0, kYear9999, true, &v); !s.ok()) return s;
  r.at = v;
  if (Status s = ReadString(j, "service", 64, false, &r.service); !s.ok()) return s;
  if (Status s = ReadString(j, "host", 1024, false, &r.host); !s.ok()) return s;
  if (Status s = ReadString(j, "client", 256, false, &r.client); !s.ok()) return s;
  if (Status s = ReadString(j, "method", 16, true, &r.method); !s.ok()) return s;
  if (r.method.empty() ||
      !std::all_of(r.method.begin(), r.method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return Bad("method", "must be an HTTP method in capitals");
  }
  if (Status s = ReadString(j, "target", 64 * 1024, true, &r.target); !s.ok()) return s;
  if (r.target.empty() || r.target.front() != '/') return Bad("target", "must start with '/'");
  if (std::any_of(r.target.begin(), r.target.end(),
                  [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    return Bad("target", "must have no spaces or control characters");
  }
  if (Status s = ReadString(j, "priority", 32, false, &r.priority); !s.ok()) return s;
  if (Status s = ReadString(j, "content_type", 256, false, &r.content_type); !s.ok()) return s;
  for (const std::string* h : {&r.priority, &r.content_type, &r.host}) {
    if (std::any_of(h->begin(), h->end(), [](unsigned char c) { return c < ' ' || c == 0x7f; })) {
      return Bad(h == &r.host       ? "host"
                 : h == &r.priority ? "priority"
                                    : "content_type",
                 "must have no control characters");
    }
  }
  if (auto b = j.find("body"); b != j.end() && !b->is_null()) {
    if (!b->is_object() && !b->is_array()) return Bad("body", "must be a JSON object or array");
    r.body = b->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  v = 0;
  if (Status s = ReadWhole(j, "body_bytes", 0, 1LL << 40, false, &v); !s.ok()) return s;
  r.body_bytes = static_cast<uint64_t>(v);
  v = 0;
  if (Status s = ReadWhole(j, "status", 0, 999, false, &v); !s.ok()) return s;
  r.status = static_cast<int>(v);
  v = 0;
  if (Status s = ReadWhole(j, "bytes", 0, 1LL << 50, false, &v); !s.ok()) return s;
  r.bytes = static_cast<uint64_t>(v);
  if (Status s = ReadString(j, "cache", 32, false, &r.cache); !s.ok()) return s;
  if (Status s = ReadWhole(j, "first_byte_us", -1, kDay, false, &r.first_byte_us); !s.ok()) {
    return s;
  }
  if (Status s = ReadWhole(j, "total_us", 0, kDay, false, &r.total_us); !s.ok()) return s;
  return r;
}

}  // namespace onair::contract
