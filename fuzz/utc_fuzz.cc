// UTC times (AST) come from configs and the command line: parse, format, parse again.
#include <cstdint>
#include <string>

#include "core/clock.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto t = onair::ParseUtc(text);
  if (!t.ok()) return 0;
  auto again = onair::ParseUtc(onair::FormatUtc(*t, true));
  FUZZ_CHECK(again.ok());
  const auto floor_ms = [](int64_t us) { return us >= 0 ? us / 1000 : (us - 999) / 1000; };
  FUZZ_CHECK(floor_ms(*again) == floor_ms(*t));
  return 0;
}
