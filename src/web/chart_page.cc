#include "web/chart_page.h"

#include "core/markup.h"
#include "web/assets.h"

namespace onair::web {

namespace {

// onairCharts(charts, xs, options): one uPlot chart per [title, [[label, values], ...]] into
// #charts, over the x values `xs`; options: colors, x (the x series), uplot (more options).
constexpr const char* kCharts = R"JS(
function onairCharts(charts, xs, options = {}) {
  const colors = options.colors || ['#2563eb', '#16a34a', '#9333ea', '#dc2626'];
  const width = Math.min(1100, document.body.clientWidth - 40);
  for (const [title, series] of charts) {
    const box = document.createElement('div');
    box.className = 'chart';
    document.getElementById('charts').appendChild(box);
    new uPlot({
      title, width, height: 220, ...(options.uplot || {}),
      series: [options.x || {},
               ...series.map(([label], i) => ({label, stroke: colors[i], width: 1.5}))],
    }, [xs, ...series.map(([, values]) => values)], box);
  }
  window.onairReport = {charts: document.querySelectorAll('.uplot').length};
}
)JS";

}  // namespace

std::string ScriptSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string ChartPageHead(std::string_view title, std::string_view css) {
  const Asset* uplot_css = FindAsset("/control/uPlot.min.css");
  std::string h = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                  MarkupEscape(title) + "</title>\n<style>\n";
  h += uplot_css->bytes;
  h += css;
  h += "</style></head><body>\n";
  return h;
}

std::string ChartPageTail(const std::string& data_json, std::string_view script) {
  const Asset* uplot_js = FindAsset("/control/uPlot.iife.min.js");
  std::string h =
      "<script type=\"application/json\" id=\"data\">" + ScriptSafe(data_json) + "</script>\n";
  h += "<script>" + ScriptSafe(uplot_js->bytes) + "</script>\n";
  h += "<script>";
  h += kCharts;
  h += script;
  h += "</script>\n</body></html>\n";
  return h;
}

}  // namespace onair::web
