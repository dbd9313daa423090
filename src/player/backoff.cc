#include "player/backoff.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

namespace onair::player {

int64_t Backoff::NextMs() {
  const int shift = std::min(attempt_, 30);
  const int64_t ceiling = std::min<int64_t>(cap_ms_, base_ms_ << shift);
  ++attempt_;
  return std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(0, ceiling))(random_);
}

std::optional<int64_t> ServerRetryMs(const net::Response& response, UtcMicros now) {
  constexpr int64_t kHour = 3'600'000;
  if (!response.body.empty() && response.body.front() == '{' && response.body.size() < 64 * 1024) {
    const auto j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      const auto it = j.find("retry_after_ms");
      if (it != j.end() && it->is_number_integer() && it->get<int64_t>() >= 0) {
        return std::min(it->get<int64_t>(), kHour);
      }
    }
  }
  const std::string value = net::HeaderValue(response.headers, "Retry-After");
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
    return std::min(seconds * 1000, kHour);
  }
  std::tm tm{};  // an HTTP date: "Sun, 06 Nov 1994 08:49:37 GMT"
  const char* parsed = strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!parsed) return std::nullopt;
  const int64_t at_ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  return std::clamp<int64_t>(at_ms - now / 1000, 0, kHour);
}

}  // namespace onair::player
