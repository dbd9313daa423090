#include "web/chart_page.h"

#include "core/markup.h"
#include "web/assets.h"

namespace onair::web {

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
  h += script;
  h += "</script>\n</body></html>\n";
  return h;
}

}  // namespace onair::web
