// Segments and init segments arrive from pipelines over HTTP: the origin's box walk must
// survive any bytes and only ever answer with the defects it documents.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "origin/segment_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const onair::origin::InitInfo init = onair::origin::CheckInit(bytes);
  FUZZ_CHECK(init.valid == init.problem.empty());
  FUZZ_CHECK(!init.valid || init.timescale > 0);
  for (uint32_t timescale : {0u, 90000u, init.timescale}) {
    const auto defects = onair::origin::CheckMediaSegment(bytes, timescale, 7, 2'000'000);
    FUZZ_CHECK(defects.size() <= 1);
    for (const auto& d : defects) FUZZ_CHECK(d == "corrupt" || d == "wrong-time");
  }
  return 0;
}
