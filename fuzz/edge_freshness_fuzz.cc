// What the edge reads from an upstream's answer and a viewer's target before it caches:
// whatever the headers say, a lifetime between the fetch and a day later; whatever the target,
// a key that is its path and at most the origin's numeric version.
#include <cstdint>
#include <string>

#include "edge/freshness.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t cut = text.find('\n');
  const std::string value = text.substr(0, cut);
  for (const char* header : {"Cache-Control", "X-Onair-Max-Age-Ms"}) {
    for (int status : {200, 404, 410, 503}) {
      onair::edge::UpstreamAnswer a;
      a.status = status;
      a.headers = {{header, value}};
      a.fetched = onair::MonoTime{} + std::chrono::hours(1);
      onair::edge::SetFreshness(&a);
      FUZZ_CHECK(a.fresh_until >= a.fetched);
      FUZZ_CHECK(a.fresh_until <= a.fetched + std::chrono::hours(24));
      FUZZ_CHECK(onair::edge::LifetimeLeftMs(a, a.fetched) >= 0);
    }
  }
  const std::string key = onair::edge::CacheKey(text);
  FUZZ_CHECK(text.rfind(key.substr(0, key.find('?')), 0) == 0);
  const size_t q = key.find('?');
  if (q != std::string::npos) {
    FUZZ_CHECK(key.compare(q, 3, "?v=") == 0);
    FUZZ_CHECK(key.find_first_not_of("0123456789", q + 3) == std::string::npos);
  }
  return 0;
}
