// `--report FILE`: a load run's results (RunStats::ToJson with the plan) as one self-contained
// HTML page (web/chart_page.h): the plan, the totals, a table per request kind (count, p50,
// p90, p99, p99.9, max), the errors, and charts per second of the run (sessions running; play
// starts due, sent, answered and shed, or a replay's requests sent and answered; errors;
// segments and bytes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace onair::loadgen {

std::string ReportHtml(const nlohmann::json& results, const std::string& title);

}  // namespace onair::loadgen
