#include "metrics/monitor.h"

#include <algorithm>

namespace onair::metrics {

using nlohmann::json;

namespace {

// Seconds judged at most per tick when the ticks fell behind (a stopped process resumed).
constexpr int64_t kMostJudgedPerTick = 120;

json SliceJson(const SecondNumbers& s) {
  json by = json::object();
  for (const Dimension d : {Dimension::kEdge, Dimension::kRegion, Dimension::kDevice}) {
    by[DimensionName(d)] = s.by[static_cast<size_t>(d)];
  }
  return {{"total", s.total}, {"by", std::move(by)}, {"errors_by_kind", s.errors_by_kind}};
}

}  // namespace

Monitor::Monitor(MonitorOptions o)
    : o_(std::move(o)), collector_(o_.collector), signals_(o_.collector.keep_s), book_(o_.book) {}

void Monitor::Watched(const WatchRound& round) {
  std::vector<std::string> gone;
  for (const auto& [target, state] : signals_.targets()) {
    const bool present = std::any_of(round.scrapes.begin(), round.scrapes.end(),
                                     [&](const auto& s) { return s.first == target; });
    if (!present) gone.push_back(target);
  }
  for (const std::string& g : gone) signals_.Forget(g);
  for (const auto& [target, counters] : round.scrapes) signals_.Record(target, round.at, counters);
  levers_ = round.levers ? *round.levers : json(nullptr);
  fleet_ = round.fleet ? *round.fleet : json(nullptr);
  capacity_ = 0;
  if (fleet_.is_array()) {
    for (const json& e : fleet_) {
      if (e.is_object() && e.contains("max_connections") && e["max_connections"].is_number()) {
        capacity_ += std::max(0.0, e["max_connections"].get<double>());
      }
    }
  }
}

void Monitor::Judge(const std::string& event, EventWatch& w, int64_t now_s) {
  const int64_t last = now_s - o_.settle_s;
  if (w.judged_s == INT64_MIN) w.judged_s = last - 1;  // from the event's first tick on
  w.judged_s = std::max(w.judged_s, last - kMostJudgedPerTick);
  for (int64_t s = w.judged_s + 1; s <= last; ++s) {
    const double starts = static_cast<double>(collector_.StartsAt(event, s));
    const double expected = w.baseline.expected(), lower = w.baseline.lower(),
                 upper = w.baseline.upper();
    w.verdict = w.baseline.Add(starts);
    w.starts_now = starts;
    w.expected = expected;
    w.lower = lower;
    w.upper = upper;
    w.judged_s = s;
  }
}

void Monitor::Sample(const std::string& event, EventWatch& w, int64_t now_s) {
  if (w.sampled_s != INT64_MIN && now_s - w.sampled_s < o_.sample_every_s) return;
  w.sampled_s = now_s;
  w.samples.push_back(
      {static_cast<double>(now_s), static_cast<double>(collector_.ViewersAt(event, now_s - 1))});
  const double oldest = static_cast<double>(now_s) - o_.forecast.window_s;
  std::erase_if(w.samples, [&](const metrics::Sample& p) { return p.t_s < oldest; });
  w.forecast = PredictViewers(w.samples, capacity_, o_.forecast);
}

std::vector<Alert> Monitor::Tick(UtcMicros now) {
  collector_.Close(now);
  const int64_t now_s = SecondOf(now);
  const std::vector<std::string> events = collector_.Events();
  std::erase_if(events_, [&](const auto& kv) {
    return std::find(events.begin(), events.end(), kv.first) == events.end();
  });
  std::vector<Condition> holding;
  const int64_t from_s = now_s - o_.thresholds.window_s + 1;  // the span: the last window_s seconds
  for (const std::string& event : events) {
    EventWatch& w = events_[event];
    Judge(event, w, now_s);
    Sample(event, w, now_s);
    const SecondNumbers span = collector_.Span(event, from_s, now_s);
    EventView view{.event = event,
                   .span = &span,
                   .starts = w.verdict,
                   .starts_now = w.starts_now,
                   .starts_expected = w.expected,
                   .capacity_in_s = w.forecast.capacity_in_s};
    for (Condition& c : EventConditions(view, o_.thresholds)) holding.push_back(std::move(c));
  }
  const Signals::Span services = signals_.Window(from_s, now_s);
  const ServiceView sv{.span = &services, .targets = &signals_.targets(), .levers = &levers_};
  for (Condition& c : ServiceConditions(sv, o_.thresholds)) holding.push_back(std::move(c));
  return book_.Evaluate(now, holding);
}

json Monitor::AlertsJson() const {
  return {{"active", book_.Active()}, {"history", book_.History()}};
}

json Monitor::ServicesJson(int64_t from_s, int64_t to_s) const {
  json targets = json::object();
  for (const auto& [name, t] : signals_.targets()) {
    targets[name] = {{"up", t.up}, {"since", FormatUtc(t.since, true)}, {"total", t.total}};
  }
  json seconds = json::array();
  for (const auto& [s, c] : signals_.Series(from_s, to_s)) {
    json j = c;
    j["second"] = s;
    seconds.push_back(std::move(j));
  }
  const Signals::Span span = signals_.Window(from_s, to_s);
  return {{"targets", std::move(targets)},
          {"seconds", std::move(seconds)},
          {"span", {{"total", span.total}, {"by_target", span.by_target}}}};
}

json Monitor::Overview(const std::string& event, UtcMicros now) const {
  const int64_t now_s = SecondOf(now);
  json seconds = json::array();
  for (const SecondNumbers& s : collector_.Series(event, now_s - o_.overview_s, now_s)) {
    json j = s.total;
    j["second"] = s.second;
    j["final"] = s.final;
    seconds.push_back(std::move(j));
  }
  json out = {
      {"event", event},
      {"now", FormatUtc(now, true)},
      {"second", now_s},
      {"seconds", std::move(seconds)},
      {"window_s", o_.thresholds.window_s},
      {"span", SliceJson(collector_.Span(event, now_s - o_.thresholds.window_s + 1, now_s))},
      {"alerts", AlertsJson()},
      {"levers", levers_},
      {"fleet", fleet_},
      {"capacity", capacity_},
      {"services", ServicesJson(now_s - o_.thresholds.window_s + 1, now_s)}};
  if (const auto it = events_.find(event); it != events_.end()) {
    const EventWatch& w = it->second;
    out["starts"] = {{"verdict", VerdictName(w.verdict)},
                     {"second", w.judged_s},
                     {"starts", w.starts_now},
                     {"expected", w.expected},
                     {"lower", w.lower},
                     {"upper", w.upper}};
    json ahead = json::array();
    for (const Prediction& p : w.forecast.ahead) {
      ahead.push_back(
          {{"horizon_s", p.horizon_s}, {"viewers", p.viewers}, {"low", p.low}, {"high", p.high}});
    }
    out["forecast"] = {{"model", w.forecast.model}, {"ahead", std::move(ahead)}};
    if (w.forecast.capacity_in_s) out["forecast"]["capacity_in_s"] = *w.forecast.capacity_in_s;
  }
  return out;
}

}  // namespace onair::metrics
