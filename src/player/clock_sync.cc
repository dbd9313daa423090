#include "player/clock_sync.h"

#include <ctime>

#include "core/log.h"

namespace onair::player {

using std::chrono::milliseconds;

StatusOr<UtcMicros> ServerTime(bool head, const net::Response& res) {
  if (res.status != 200) return Unavailable("HTTP " + std::to_string(res.status));
  if (head) {
    const std::string date = net::HeaderValue(res.headers, "Date");
    std::tm tm{};
    const char* end = strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0') return InvalidArgument("no HTTP date in '" + date + "'");
    return static_cast<UtcMicros>(timegm(&tm)) * 1'000'000 + 500'000;
  }
  std::string text = res.body.substr(0, 64);
  text.erase(text.find_last_not_of(" \r\n\t") + 1);
  return ParseUtc(text);
}

StatusOr<ClockSync> SyncClock(const std::vector<UtcTiming>& timings,
                              const std::string& manifest_url, Clock* clock) {
  for (const UtcTiming& u : timings) {
    if (u.scheme == "urn:mpeg:dash:utc:direct:2014") {
      if (auto t = ParseUtc(u.value); t.ok()) return ClockSync{*t - clock->Now(), 0, "direct"};
      continue;
    }
    const bool head = u.scheme == "urn:mpeg:dash:utc:http-head:2014";
    if (!head && u.scheme != "urn:mpeg:dash:utc:http-iso:2014" &&
        u.scheme != "urn:mpeg:dash:utc:http-xsdate:2014") {
      continue;
    }
    auto where = net::SplitUrl(ResolveUrl(manifest_url, u.value));
    if (!where.ok()) continue;
    net::HttpConnection conn(where->server);
    // The best of three: the shortest round trip bounds the error best.
    ClockSync best{0, INT64_MAX, u.value};
    for (int i = 0; i < 3; ++i) {
      const UtcMicros t0 = clock->Now();
      auto res = conn.Send(head ? "HEAD" : "GET", where->target, {}, "", milliseconds(2000));
      const UtcMicros t1 = clock->Now();
      if (!res.ok()) continue;
      auto server = ServerTime(head, *res);
      if (!server.ok() || t1 - t0 >= best.rtt_us) continue;
      best.rtt_us = t1 - t0;
      best.offset_us = OffsetOf(t0, t1, *server);
    }
    if (best.rtt_us != INT64_MAX) return best;
  }
  return Unavailable("no UTCTiming source answered");
}

}  // namespace onair::player
