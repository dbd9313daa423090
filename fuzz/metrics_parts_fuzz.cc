// The parts collectors publish to NATS as the aggregator takes them (Collector::Absorb): any
// bytes are merged whole or refused with a clear error; what was merged reads as figures and
// drains into parts that another collector absorbs again.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "metrics/collector.h"
#include "metrics/numbers.h"

using onair::metrics::Collector;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr onair::UtcMicros kNow = 1'795'000'000'000'000;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  Collector c;
  auto absorbed = c.Absorb(bytes, kNow);
  if (!absorbed.ok()) {
    FUZZ_CHECK(!absorbed.status().message().empty());
    FUZZ_CHECK(c.Events().empty());
    return 0;
  }
  for (const std::string& event : c.Events()) {
    for (const auto& s : c.Series(event, kNow / 1'000'000 - 60, kNow / 1'000'000 + 60)) {
      FUZZ_CHECK(s.total.rebuffer_ratio >= 0 && s.total.rebuffer_ratio <= 1);
      // Names and figures write as JSON (the service's answers).
      nlohmann::json j = s.total;
      for (const auto& by : s.by) {
        for (const auto& [name, n] : by) j[name] = n;
      }
      for (const auto& [kind, count] : s.errors_by_kind) j[kind] = count;
      FUZZ_CHECK(!j.dump().empty());
    }
  }
  Collector again;
  for (const std::string& part : c.Drain(4096)) FUZZ_CHECK(again.Absorb(part, kNow).ok());
  return 0;
}
