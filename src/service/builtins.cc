// The routes every service has (docs/service.md, "What every service answers the same
// way"): health, readiness, metrics, the clock, and the admin API's route table and fault
// rules.
#include <nlohmann/json.hpp>

#include "contract/faults.h"
#include "core/log.h"
#include "service/service.h"

namespace onair::service {

void Service::AddBuiltins() {
  const http::verb kGet = http::verb::get;
  Add({.name = "healthz",
       .methods = {kGet},
       .pattern = "/healthz",
       .help = "200 while the process runs",
       .priority = Priority::kCritical,
       .faults = true,
       .logged = false,
       .sync = [this](Exchange&) -> Reply {
         return Json(200,
                     nlohmann::json{{"status", "ok"}, {"service", config_.name}}.dump() + "\n");
       }});
  Add({.name = "readyz",
       .methods = {kGet},
       .pattern = "/readyz",
       .help = "200 when the service can do its job now, else 503 and why",
       .priority = Priority::kCritical,
       .logged = false,
       .sync = [this](Exchange&) -> Reply {
         std::optional<std::string> why;
         if (!running()) why = "starting";
         if (!why && readiness_) why = readiness_();
         if (why && !why->empty()) {
           return Error(503, "not ready: " + *why, {{"ready", false}});
         }
         return Json(200, nlohmann::json{{"ready", true}}.dump() + "\n");
       }});
  Add({.name = "metrics",
       .methods = {kGet},
       .pattern = "/metrics",
       .help = "Prometheus text format",
       .priority = Priority::kCritical,
       .faults = false,
       .logged = false,
       .sync = [this](Exchange&) -> Reply {
         for (const auto& f : on_scrape_) f();
         metrics_.gauge(MetricName("connections"), "Client connections open now.")
             .Set(open_connections());
         metrics_
             .gauge(MetricName("concurrency_limit"),
                    "The admission limit (requests in flight) now.")
             .Set(static_cast<int64_t>(admission_.limit()));
         for (int p = 0; p < kPriorities; ++p) {
           metrics_
               .gauge(MetricName("in_flight"), "Admitted requests being answered now.",
                      {{"priority", PriorityName(static_cast<Priority>(p))}})
               .Set(admission_.in_flight(static_cast<Priority>(p)));
         }
         return Text(200, metrics_.Text(), "no-store", "text/plain; version=0.0.4");
       }});
  Add({.name = "time",
       .methods = {kGet},
       .pattern = "/v1/time",
       .help = "the service's clock, ISO 8601 UTC with milliseconds (DASH UTCTiming)",
       .priority = Priority::kCritical,
       .sync = [this](Exchange&) -> Reply {
         // Exactly the time, no newline: clients hand the body to a date parser.
         return Text(200, FormatUtc(clock_->Now(), true), "no-store", "text/plain");
       }});
  AddAdmin({.name = "admin-routes",
            .methods = {kGet},
            .pattern = "/routes",
            .help = "every route of this service: method, path, what it does",
            .sync = [this](Exchange&) -> Reply {
              nlohmann::json list = nlohmann::json::array();
              for (const auto& r : routes_.routes()) {
                nlohmann::json methods = nlohmann::json::array();
                for (http::verb v : r->methods) methods.push_back(std::string(http::to_string(v)));
                list.push_back({{"name", r->name},
                                {"methods", methods},
                                {"path", r->pattern},
                                {"admin", r->admin},
                                {"mutates", r->mutates},
                                {"websocket", static_cast<bool>(r->upgrade)},
                                {"help", r->help}});
              }
              return Json(
                  200, nlohmann::json{{"service", config_.name}, {"routes", list}}.dump(2) + "\n");
            }});
  AddAdmin({.name = "admin-faults",
            .methods = {kGet, http::verb::put, http::verb::delete_},
            .pattern = "/faults",
            .help = "the fault rules in force; PUT replaces them, DELETE clears them",
            .body = Body::kBuffered,
            .mutates = true,
            .sync = [this](Exchange& ex) -> Reply {
              if (ex.method() == http::verb::put) {
                auto rules = contract::ParseFaults(ex.body());
                if (!rules.ok()) return Error(400, rules.status().message());
                Logger(config_.name)->warn("fault rules set: {}", contract::WriteFaults(*rules));
                faults_.Set(std::move(*rules));
              } else if (ex.method() == http::verb::delete_) {
                faults_.Set({});
                Logger(config_.name)->info("fault rules cleared");
              }
              return Json(200, contract::WriteFaults(faults_.Rules()) + "\n");
            }});
}

}  // namespace onair::service
