// What the edge reads from an upstream's answer and from a viewer's request target before it
// caches anything (docs/edge.md, "Caching"): which headers are forwarded, how long an answer
// may serve new requests (the origin's millisecond "not yet" lifetime first, then
// Cache-Control), and the cache key. Plain functions over untrusted bytes, unit-tested on a
// simulated clock and fuzzed (fuzz/edge_freshness_fuzz.cc).
#pragma once

#include <string>
#include <string_view>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace onair::edge {

using SteadyTime = MonoTime;

// An upstream's answer to a fill, as the cache keeps it.
struct UpstreamAnswer {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // forwarded as they came
  std::optional<uint64_t> content_length;
  MonoTime fetched{};
  MonoTime fresh_until{};    // == fetched: serve to the collapsed requests only
  bool negative_ms = false;  // a "not yet" 404 with a millisecond lifetime
};

// The upstream headers a viewer gets as they came (hop-by-hop and framing ones are the edge's
// own business).
bool Forwarded(std::string_view name);

// How long `a` (its status and headers, fetched at a->fetched) may serve: sets fresh_until
// and negative_ms. Errors and 304s are never kept.
void SetFreshness(UpstreamAnswer* a);

// The cache key and upstream target of a request: its path, and of its query only the
// origin's version (`v=`, digits), so that made-up queries cannot multiply fills.
std::string CacheKey(std::string_view target);

// The lifetime left of a "not yet" answer at `now`, in ms (never negative).
int64_t LifetimeLeftMs(const UpstreamAnswer& a, MonoTime now);

}  // namespace onair::edge
