#include "metrics/prom_text.h"

#include <cmath>
#include <cstdlib>

namespace onair::metrics {

namespace {

bool NameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool NameChar(char c) { return NameStart(c) || (c >= '0' && c <= '9'); }

// Reads a metric or label name at `p`; false if there is none.
bool ReadName(std::string_view line, size_t& p, std::string* out, bool colon) {
  const size_t from = p;
  if (p >= line.size() || !NameStart(line[p]) || (!colon && line[p] == ':')) return false;
  while (p < line.size() && NameChar(line[p]) && (colon || line[p] != ':')) ++p;
  out->assign(line.substr(from, p - from));
  return true;
}

void SkipSpaces(std::string_view line, size_t& p) {
  while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
}

// `"value"` with the format's three escapes.
bool ReadQuoted(std::string_view line, size_t& p, std::string* out) {
  if (p >= line.size() || line[p] != '"') return false;
  ++p;
  out->clear();
  while (p < line.size()) {
    const char c = line[p++];
    if (c == '"') return true;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (p >= line.size()) return false;
    const char e = line[p++];
    if (e == 'n') {
      out->push_back('\n');
    } else if (e == '\\' || e == '"') {
      out->push_back(e);
    } else {
      return false;
    }
  }
  return false;
}

bool ReadLabels(std::string_view line, size_t& p, PromSample* s) {
  ++p;  // '{'
  while (true) {
    SkipSpaces(line, p);
    if (p < line.size() && line[p] == '}') {
      ++p;
      return true;
    }
    std::string key, value;
    if (!ReadName(line, p, &key, false)) return false;
    SkipSpaces(line, p);
    if (p >= line.size() || line[p] != '=') return false;
    ++p;
    SkipSpaces(line, p);
    if (!ReadQuoted(line, p, &value)) return false;
    s->labels.emplace_back(std::move(key), std::move(value));
    SkipSpaces(line, p);
    if (p < line.size() && line[p] == ',') ++p;
    if (s->labels.size() > 64) return false;
  }
}

bool ReadValue(std::string_view word, double* out) {
  if (word == "+Inf" || word == "Inf") {
    *out = HUGE_VAL;
    return true;
  }
  if (word == "-Inf") {
    *out = -HUGE_VAL;
    return true;
  }
  if (word == "NaN") {
    *out = NAN;
    return true;
  }
  if (word.empty() || word.size() > 64) return false;
  const std::string copy(word);  // strtod needs its terminator
  char* end = nullptr;
  *out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

bool ReadLine(std::string_view line, PromSample* s) {
  size_t p = 0;
  if (!ReadName(line, p, &s->name, true)) return false;
  if (p < line.size() && line[p] == '{' && !ReadLabels(line, p, s)) return false;
  if (p >= line.size() || (line[p] != ' ' && line[p] != '\t')) return false;
  SkipSpaces(line, p);
  size_t end = p;
  while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
  if (!ReadValue(line.substr(p, end - p), &s->value)) return false;
  // A timestamp may follow; it is not used.
  return true;
}

}  // namespace

std::string_view PromSample::label(std::string_view key) const {
  for (const auto& [k, v] : labels) {
    if (k == key) return v;
  }
  return {};
}

std::vector<PromSample> ParsePromText(std::string_view text, size_t* bad) {
  std::vector<PromSample> out;
  size_t unreadable = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t p = 0;
    SkipSpaces(line, p);
    line.remove_prefix(p);
    if (line.empty() || line[0] == '#') continue;
    PromSample s;
    if (ReadLine(line, &s)) {
      out.push_back(std::move(s));
    } else {
      ++unreadable;
    }
  }
  if (bad) *bad = unreadable;
  return out;
}

}  // namespace onair::metrics
