// A self-contained HTML page with charts (uPlot inlined, the data inside the page): the
// metrics service's report after the show and the load generator's report. Opens from a mail
// or a shared folder, with no server and no network.
#pragma once

#include <string>
#include <string_view>

namespace onair::web {

// From the doctype to the opening <body>: the title, uPlot's stylesheet, then `css`.
std::string ChartPageHead(std::string_view title, std::string_view css);

// From the data to the end: `data_json` as <script id="data"> (JSON.parse of its text),
// uPlot, then `script`, which may call onairCharts(charts, xs, options) to draw one chart
// per [title, [[label, values], ...]] into the page's #charts.
std::string ChartPageTail(const std::string& data_json, std::string_view script);

// "</" cannot close the script element a text sits in.
std::string ScriptSafe(std::string_view s);

}  // namespace onair::web
