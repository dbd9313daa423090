#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace onair {

namespace {

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t k = 0; k < labels.size(); ++k) {
    if (k) out += ',';
    out += labels[k].first + "=\"" + EscapeLabelValue(labels[k].second) + "\"";
  }
  return out + "}";
}

// Adds one more label to a rendered label set.
std::string WithLabel(const std::string& rendered, const std::string& extra) {
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

std::string Number(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) {
    return fmt::format("{}", static_cast<int64_t>(v));
  }
  return fmt::format("{}", v);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t k = 0; k <= bounds_.size(); ++k) counts_[k] = 0;
}

void Histogram::Observe(double seconds) {
  const size_t k = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), seconds) -
                                       bounds_.begin());
  counts_[k].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e9), std::memory_order_relaxed);
}

double Histogram::Quantile(double q) const {
  const uint64_t total = count();
  if (total == 0) return 0;
  const auto rank = static_cast<uint64_t>(q * static_cast<double>(total));
  uint64_t seen = 0;
  for (size_t k = 0; k < bounds_.size(); ++k) {
    seen += bucket(k);
    if (seen > rank) return bounds_[k];
  }
  return bounds_.empty() ? 0 : bounds_.back();
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(const std::string& name,
                                                    const std::string& help, Type type) {
  auto [it, added] = families_.try_emplace(name, Family{type, help, {}});
  if (!added && it->second.type != type) {
    throw std::logic_error("metric " + name + " registered with two types");
  }
  return it->second;
}

template <class T, class Make>
T& MetricsRegistry::SeriesOf(const std::string& name, const std::string& help, Type type,
                             const Labels& labels, T* Series::*slot, Make make) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string rendered = RenderLabels(labels);
  Series& s = FamilyFor(name, help, type).series[rendered];
  if (!(s.*slot)) {
    s.labels = rendered;
    s.*slot = make();
  }
  return *(s.*slot);
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  return SeriesOf(name, help, Type::kCounter, labels, &Series::counter,
                  [&] { return &counters_.emplace_back(); });
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const Labels& labels) {
  return SeriesOf(name, help, Type::kGauge, labels, &Series::gauge,
                  [&] { return &gauges_.emplace_back(); });
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const Labels& labels, std::vector<double> bounds) {
  return SeriesOf(name, help, Type::kHistogram, labels, &Series::histogram, [&] {
    return histograms_.emplace_back(std::make_unique<Histogram>(std::move(bounds))).get();
  });
}

std::string MetricsRegistry::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.type == Type::kCounter ? "counter"
                       : family.type == Type::kGauge ? "gauge"
                                                     : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, type);
    for (const auto& [labels, s] : family.series) {
      if (s.counter) out += fmt::format("{}{} {}\n", name, labels, s.counter->value());
      if (s.gauge) out += fmt::format("{}{} {}\n", name, labels, s.gauge->value());
      if (s.histogram) {
        const Histogram& h = *s.histogram;
        uint64_t cumulative = 0;
        for (size_t k = 0; k < h.bounds().size(); ++k) {
          cumulative += h.bucket(k);
          out += fmt::format("{}_bucket{} {}\n", name,
                             WithLabel(labels, "le=\"" + Number(h.bounds()[k]) + "\""), cumulative);
        }
        out += fmt::format("{}_bucket{} {}\n", name, WithLabel(labels, "le=\"+Inf\""), h.count());
        out += fmt::format("{}_sum{} {}\n", name, labels, h.sum());
        out += fmt::format("{}_count{} {}\n", name, labels, h.count());
      }
    }
  }
  return out;
}

}  // namespace onair
