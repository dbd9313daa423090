// Reads the Prometheus text exposition format (version 0.0.4), as every onair service's
// /metrics writes it: one sample per line, `name{label="value",...} value [timestamp]`, with
// `#` comments. What the metrics service scrapes comes from the network: a line it cannot
// read is skipped and counted, never trusted (fuzzed by fuzz/metrics_scrape_fuzz.cc).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onair::metrics {

struct PromSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;

  // The value of label `key`, "" if it has none.
  std::string_view label(std::string_view key) const;
};

// The samples of `text`; `bad`, when given, gets the number of lines that were not comments,
// blank or samples.
std::vector<PromSample> ParsePromText(std::string_view text, size_t* bad = nullptr);

}  // namespace onair::metrics
