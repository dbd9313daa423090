#include "edge/freshness.h"

#include <strings.h>

#include <charconv>
#include <cstring>

#include "contract/headers.h"
#include "net/headers.h"

namespace onair::edge {

namespace {

// A decimal at the start of `s` (digits only), clamped to a day of milliseconds; -1 if none.
int64_t LeadingNumber(std::string_view s) {
  int64_t v = -1;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data() || v < 0)
    return ec == std::errc::result_out_of_range ? 86'400'000 : -1;
  return std::min<int64_t>(v, 86'400'000);
}

}  // namespace

bool Forwarded(std::string_view name) {
  static const char* kNames[] = {"content-type",       "etag",
                                 "last-modified",      "cache-control",
                                 "retry-after",        "x-onair-pipeline",
                                 "x-onair-defects",    "x-onair-version",
                                 "x-onair-max-age-ms", "x-onair-event"};
  for (const char* n : kNames) {
    if (name.size() == std::strlen(n) && strncasecmp(name.data(), n, name.size()) == 0) {
      return true;
    }
  }
  return false;
}

void SetFreshness(UpstreamAnswer* a) {
  using std::chrono::milliseconds;
  a->fresh_until = a->fetched;
  a->negative_ms = false;
  if (a->status >= 500 || a->status == 304) return;
  const std::string ms = net::HeaderValue(a->headers, contract::kMaxAgeMs);
  if (!ms.empty()) {
    a->negative_ms = a->status == 404;
    a->fresh_until = a->fetched + milliseconds(std::max<int64_t>(0, LeadingNumber(ms)));
    return;
  }
  const std::string cc = net::HeaderValue(a->headers, "Cache-Control");
  if (cc.find("no-store") != std::string::npos || cc.find("no-cache") != std::string::npos ||
      cc.find("private") != std::string::npos) {
    return;
  }
  const size_t at = cc.find("max-age=");
  if (at != std::string::npos) {
    const int64_t seconds = LeadingNumber(std::string_view(cc).substr(at + 8));
    if (seconds > 0)
      a->fresh_until = a->fetched + std::chrono::seconds(std::min<int64_t>(seconds, 86'400));
  }
}

std::string CacheKey(std::string_view target) {
  const size_t q = target.find('?');
  std::string key(target.substr(0, q));
  if (q == std::string_view::npos) return key;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (param.substr(0, 2) == "v=" && param.size() > 2 && param.size() <= 20 &&
        param.find_first_not_of("0123456789", 2) == std::string_view::npos) {
      return key + "?" + std::string(param);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return key;
}

int64_t LifetimeLeftMs(const UpstreamAnswer& a, MonoTime now) {
  return std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(a.fresh_until - now).count());
}

}  // namespace onair::edge
