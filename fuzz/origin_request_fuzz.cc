// Request targets, defect lists and Authorization headers come from the network: the
// origin's reading of them must survive any bytes, and never name an unsafe path.
#include <cstdint>
#include <string>

#include "core/bearer.h"
#include "core/event_config.h"
#include "fuzz_check.h"
#include "origin/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  using onair::origin::Target;
  const Target t = onair::origin::ParseTarget(text);
  if (t.kind == Target::kObject || t.kind == Target::kManifest) {
    FUZZ_CHECK(onair::IsSafeName(t.event));
    FUZZ_CHECK(t.rendition.empty() || onair::IsSafeName(t.rendition));
    FUZZ_CHECK(t.n >= onair::origin::kInit);
  }
  std::vector<std::string> defects;
  if (onair::origin::ParseDefects(text, &defects)) {
    FUZZ_CHECK(defects.size() <= 16);
    for (const auto& d : defects) {
      FUZZ_CHECK(!d.empty() && d.size() <= 32);
      for (char c : d) FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }
  }
  FUZZ_CHECK(!onair::TokenMatches(text, ""));
  return 0;
}
