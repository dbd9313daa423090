// What the load generator reads from elsewhere. Request logs as `onair loadgen replay` reads
// them (contract/request_log.h, loadgen/replay_log.h): any bytes give requests in arrival
// order whose fields are inside their documented ranges, or an error naming the line; a record
// written again reads back the same; the rewrites and the token stripping take whatever a line
// holds. A fleet's results from NATS (loadgen/stats.h): refused, or encoded again the same.
#include <cstdint>
#include <string>

#include "contract/request_log.h"
#include "fuzz_check.h"
#include "loadgen/replay_log.h"
#include "loadgen/stats.h"

using namespace onair;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto log = loadgen::ParseReplayLog(text, 1000);
  if (!log.ok()) {
    FUZZ_CHECK(log.status().message().rfind("line ", 0) == 0 ||
               log.status().message().rfind("more than", 0) == 0);
  } else {
    int64_t last = 0;
    loadgen::Rewrites w;
    w.event = "renamed";
    w.fallback = "http://127.0.0.1:9";
    for (const loadgen::LoggedRequest& q : log->requests) {
      const contract::RequestRecord& r = q.record;
      FUZZ_CHECK(q.offset_us >= last && q.offset_us <= log->span_us);
      last = q.offset_us;
      FUZZ_CHECK(!r.method.empty() && !r.target.empty() && r.target[0] == '/');
      FUZZ_CHECK(r.status >= 0 && r.status <= 999 && r.first_byte_us >= -1);
      auto back = contract::ParseRequestRecord(contract::FormatRequestRecord(r));
      FUZZ_CHECK(back.ok());
      FUZZ_CHECK(back->target == r.target && back->at == r.at && back->body == r.body);
      auto out = loadgen::Rewrite(r, w, 0);
      if (out.ok()) FUZZ_CHECK(out->base == w.fallback && out->target[0] == '/');
      (void)loadgen::Sampled(r, 0.5, 1);
      (void)loadgen::RequestKind(r);
    }
  }
  const std::string stripped = contract::TargetWithoutTokens(text);
  FUZZ_CHECK(stripped.size() <= text.size());
  (void)contract::JsonWithoutTokens(text);
  if (auto stats = loadgen::RunStats::Decode(text); stats.ok()) {
    auto again = loadgen::RunStats::Decode(stats->Encode(1 << 30));
    FUZZ_CHECK(again.ok() && again->counts == stats->counts && again->errors == stats->errors &&
               again->seconds.size() == stats->seconds.size());
  }
  (void)loadgen::ParseShare(text);
  (void)loadgen::ParseMapping(text);
  return 0;
}
