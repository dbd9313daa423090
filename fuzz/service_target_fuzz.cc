// The request target as every service reads it before routing: any bytes split into a path
// and a query that are parts of it; a pattern matched or not, its {name} values never empty
// and always parts of the path.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "service/target.h"

using namespace onair::service;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto [path, query] = SplitTarget(text);
  FUZZ_CHECK(path.size() + (query.data() ? query.size() : 0) <= text.size());
  (void)QueryValue(query, "format");
  static const Pattern kPatterns[] = {ParsePattern("/live/{event}/{rendition}/{file}"),
                                      ParsePattern("/admin/edges/{name}"), ParsePattern("/live/*"),
                                      ParsePattern("/*"), ParsePattern("/healthz")};
  std::vector<std::string_view> params;
  for (const Pattern& p : kPatterns) {
    if (!MatchPattern(p, path, &params)) continue;
    for (size_t k = 0; k < params.size(); ++k) {
      const bool rest = p.rest && k + 1 == params.size();
      FUZZ_CHECK(rest || !params[k].empty());
      FUZZ_CHECK(params[k].empty() ||
                 (params[k].data() >= path.data() &&
                  params[k].data() + params[k].size() <= path.data() + path.size()));
    }
  }
  return 0;
}
