#include "loadgen/scenario.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>

namespace onair::loadgen {
namespace {

constexpr int64_t kSecond = 1'000'000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

StatusOr<double> ParseNumber(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return InvalidArgument("'" + std::string(text) + "' is not a number");
  }
  return v;
}

StatusOr<int64_t> ParseCount(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) {
    return InvalidArgument("'" + std::string(text) + "' is not a whole number");
  }
  return v;
}

// "50%" or "0.5" as a share.
StatusOr<double> ParseShare(std::string_view text) {
  const bool percent = !text.empty() && text.back() == '%';
  auto v = ParseNumber(percent ? text.substr(0, text.size() - 1) : text);
  if (!v.ok()) return v.status();
  const double share = percent ? *v / 100 : *v;
  if (share < 0 || share > 1) return InvalidArgument("a share of the peak is 0-100 %");
  return share;
}

Phase Ramp(double to, int64_t over, int steps = 0, int64_t spread = 0) {
  Phase p;
  p.kind = Phase::kRamp;
  p.to_share = to;
  p.length_us = over;
  p.steps = steps;
  p.spread_us = spread;
  return p;
}

Phase Hold(int64_t length) {
  Phase p;
  p.kind = Phase::kHold;
  p.length_us = length;
  return p;
}

Phase Outage(int64_t length) {
  Phase p = Hold(length);
  p.kind = Phase::kOutage;
  return p;
}

// One `key=value` of a phase line.
Status PhaseField(Phase* p, std::string_view key, std::string_view value) {
  if (key == "to" && p->kind == Phase::kRamp) {
    auto v = ParseShare(value);
    if (!v.ok()) return v.status();
    p->to_share = *v;
  } else if ((key == "over" && p->kind == Phase::kRamp) ||
             (key == "for" && p->kind != Phase::kRamp)) {
    auto v = ParseDuration(value);
    if (!v.ok()) return v.status();
    p->length_us = *v;
  } else if (key == "steps" && p->kind == Phase::kRamp) {
    auto v = ParseCount(value);
    if (!v.ok()) return v.status();
    if (*v > 1000) return InvalidArgument("at most 1000 steps");
    p->steps = static_cast<int>(*v);
  } else if (key == "spread" && p->kind == Phase::kRamp) {
    auto v = ParseDuration(value);
    if (!v.ok()) return v.status();
    p->spread_us = *v;
  } else {
    return InvalidArgument("unknown field");
  }
  return Status::Ok();
}

Status LineError(int line, std::string_view field, const Status& why) {
  return InvalidArgument("line " + std::to_string(line) + ", " + std::string(field) + ": " +
                         why.message());
}

}  // namespace

int64_t Scenario::duration_us() const {
  int64_t d = 0;
  for (const Phase& p : phases) d += p.length_us;
  return d;
}

StatusOr<int64_t> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
    ++digits;
  }
  const std::string_view unit = text.substr(digits);
  auto v = ParseNumber(text.substr(0, digits));
  if (!v.ok()) return InvalidArgument("'" + std::string(text) + "' is not a duration");
  const double scale = unit == "ms"                  ? 1e3
                       : unit.empty() || unit == "s" ? 1e6
                       : unit == "m"                 ? 60e6
                       : unit == "h"                 ? 3600e6
                                                     : -1;
  if (scale < 0) return InvalidArgument("'" + std::string(text) + "': units are ms, s, m, h");
  const double us = *v * scale;
  if (us > 7 * 24 * 3600e6) return InvalidArgument("'" + std::string(text) + "' is over a week");
  return static_cast<int64_t>(std::llround(us));
}

std::vector<std::string> ProfileNames() { return {"ramp", "flash-crowd", "hold", "retry-storm"}; }

StatusOr<std::vector<Phase>> NamedProfile(const std::string& name, int64_t d, int64_t outage_us) {
  if (d < 2 * kSecond) return InvalidArgument("a run lasts at least 2 s");
  std::vector<Phase> out;
  if (name == "hold") {
    const int64_t up = std::min(10 * kSecond, d / 10);
    out = {Ramp(1, up), Hold(d - up)};
  } else if (name == "ramp") {  // a fifth of the peak every sixth of the run
    const int64_t step = d / 6;
    out = {Ramp(1, 5 * step, 5, std::min(10 * kSecond, step)), Hold(d - 5 * step)};
  } else if (name == "flash-crowd") {  // half of the peak within the first minute
    const int64_t first = std::min(60 * kSecond, d / 2), second = std::min(60 * kSecond, d / 4);
    out = {Ramp(0.5, first), Ramp(1, second), Hold(d - first - second)};
  } else if (name == "retry-storm") {  // every viewer interrupted, then back at once
    const int64_t up = std::min(30 * kSecond, d / 4);
    const int64_t outage = outage_us > 0 ? outage_us : std::min(30 * kSecond, d / 6);
    const int64_t at = d / 2;
    if (at + outage + kSecond >= d) return InvalidArgument("the outage does not fit in the run");
    out = {Ramp(1, up), Hold(at - up), Outage(outage), Ramp(1, kSecond),
           Hold(d - at - outage - kSecond)};
  } else {
    return InvalidArgument("no profile '" + name + "' (ramp, flash-crowd, hold, retry-storm)");
  }
  return out;
}

StatusOr<Scenario> ParseScenario(std::string_view text) {
  Scenario s;
  std::string profile;
  int64_t duration = 0, outage = 0;
  int profile_line = 0;
  int line = 0;
  while (!text.empty()) {
    ++line;
    const size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (const size_t hash = raw.find('#'); hash != std::string_view::npos)
      raw = raw.substr(0, hash);
    const std::vector<std::string_view> w = Words(Trim(raw));
    if (w.empty()) continue;
    const std::string_view key = w[0];
    if (key == "ramp" || key == "hold" || key == "outage") {
      Phase p = key == "ramp" ? Ramp(1, 0) : key == "hold" ? Hold(0) : Outage(0);
      p.line = line;
      for (size_t i = 1; i < w.size(); ++i) {
        const size_t eq = w[i].find('=');
        if (eq == std::string_view::npos) {
          return LineError(line, w[i], InvalidArgument("expected field=value"));
        }
        Status st = PhaseField(&p, w[i].substr(0, eq), w[i].substr(eq + 1));
        if (!st.ok()) return LineError(line, w[i].substr(0, eq), st);
      }
      if (p.length_us <= 0) {
        return LineError(line, key == "ramp" ? "over" : "for", InvalidArgument("missing or zero"));
      }
      s.phases.push_back(p);
      continue;
    }
    if (w.size() != 2) return LineError(line, key, InvalidArgument("expected one value"));
    const std::string_view v = w[1];
    Status st = Status::Ok();
    if (key == "target") {
      s.target = std::string(v);
    } else if (key == "event") {
      s.event = std::string(v);
    } else if (key == "profile") {
      profile = std::string(v);
      profile_line = line;
    } else if (key == "peak" || key == "max-sessions") {
      auto n = ParseCount(v);
      st = n.status();
      if (n.ok()) (key == "peak" ? s.peak : s.max_sessions) = *n;
    } else if (key == "max-rate") {
      auto n = ParseNumber(v);
      st = n.status();
      if (n.ok()) s.max_rate = *n;
    } else if (key == "duration" || key == "outage" || key == "max-duration") {
      auto n = ParseDuration(v);
      st = n.status();
      if (n.ok())
        (key == "duration" ? duration : key == "outage" ? outage : s.max_duration_us) = *n;
    } else {
      st = InvalidArgument("unknown setting");
    }
    if (!st.ok()) return LineError(line, key, st);
  }
  if (!profile.empty()) {
    if (!s.phases.empty()) {
      return LineError(profile_line, "profile",
                       InvalidArgument("give a profile or phases, not both"));
    }
    if (duration <= 0)
      return LineError(profile_line, "duration", InvalidArgument("a profile needs a duration"));
    auto phases = NamedProfile(profile, duration, outage);
    if (!phases.ok()) return LineError(profile_line, "profile", phases.status());
    s.phases = std::move(*phases);
    s.profile = profile;
  } else if (duration > 0 && duration != s.duration_us()) {
    return InvalidArgument("the phases last " + std::to_string(s.duration_us() / kSecond) +
                           " s, the duration says " + std::to_string(duration / kSecond) + " s");
  }
  return s;
}

Status Validate(Scenario* s) {
  if (s->target.empty()) return InvalidArgument("no target (the playback service's URL)");
  if (s->event.empty()) return InvalidArgument("no event");
  if (s->peak <= 0) return InvalidArgument("no peak (the concurrent viewers at 100 %)");
  if (s->phases.empty()) return InvalidArgument("no profile and no phases");
  if (s->max_sessions <= 0) s->max_sessions = 4 * s->peak;
  if (s->max_rate <= 0) return InvalidArgument("max-rate must be above 0");
  if (s->duration_us() > s->max_duration_us) {
    return InvalidArgument("the run lasts " + std::to_string(s->duration_us() / kSecond) +
                           " s, over its bound of " + std::to_string(s->max_duration_us / kSecond) +
                           " s (max-duration)");
  }
  return Status::Ok();
}

}  // namespace onair::loadgen
