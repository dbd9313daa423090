// What the metrics service reads from the services it watches: any text is read as
// Prometheus exposition lines (the unreadable ones counted, never trusted), and the counters
// taken from it are finite and not negative.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "metrics/prom_text.h"
#include "metrics/signals.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  size_t bad = 0;
  const auto samples = onair::metrics::ParsePromText(text, &bad);
  size_t lines = 1;
  for (const char c : text) lines += c == '\n';
  FUZZ_CHECK(samples.size() + bad <= lines);
  for (const auto& s : samples) FUZZ_CHECK(!s.name.empty());
  const onair::metrics::Counters c = onair::metrics::CountersOf(samples);
  for (const double v :
       {c.served, c.hits, c.refused, c.shed, c.origin_switches, c.defects, c.upstream_errors}) {
    FUZZ_CHECK(std::isfinite(v) && v >= 0);
  }
  FUZZ_CHECK(c.hits <= c.served);
  const onair::metrics::Counters d = c.Since(onair::metrics::Counters{.served = 5, .hits = 3});
  FUZZ_CHECK(d.served >= 0 && d.hits >= 0);
  return 0;
}
