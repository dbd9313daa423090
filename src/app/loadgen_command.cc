#include "app/loadgen_command.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "app/signals.h"
#include "core/event_config.h"
#include "core/log.h"
#include "loadgen/devices.h"
#include "loadgen/fleet.h"
#include "loadgen/replay.h"
#include "loadgen/report.h"
#include "loadgen/scenario.h"
#include "loadgen/schedule.h"
#include "player/player.h"

namespace onair::app {
namespace {

// What the flags say, over the scenario file when both are given.
struct DevicesFlags {
  std::string scenario_file, target, event, profile, duration, outage, mix, regions, json_path;
  int64_t peak = 0, max_sessions = 0;
  double max_rate = 0;
  bool quiet = false;
  loadgen::DevicesConfig config;
  std::string nats, fleet_run, report_path;
  size_t fleet = 1;
};

StatusOr<loadgen::Scenario> ScenarioOf(const DevicesFlags& f) {
  loadgen::Scenario s;
  if (!f.scenario_file.empty()) {
    std::ifstream in(f.scenario_file);
    if (!in) return InvalidArgument("cannot read " + f.scenario_file);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = loadgen::ParseScenario(text.str());
    if (!parsed.ok()) return InvalidArgument(f.scenario_file + ": " + parsed.status().message());
    s = std::move(*parsed);
  }
  if (!f.target.empty()) s.target = f.target;
  if (!f.event.empty()) s.event = f.event;
  if (f.peak > 0) s.peak = f.peak;
  if (f.max_sessions > 0) s.max_sessions = f.max_sessions;
  if (f.max_rate > 0) s.max_rate = f.max_rate;
  if (!f.profile.empty() || !f.duration.empty()) {
    if (f.profile.empty() || f.duration.empty()) {
      return InvalidArgument("--profile and --duration go together");
    }
    auto d = loadgen::ParseDuration(f.duration);
    if (!d.ok()) return InvalidArgument("--duration: " + d.status().message());
    int64_t outage = 0;
    if (!f.outage.empty()) {
      auto o = loadgen::ParseDuration(f.outage);
      if (!o.ok()) return InvalidArgument("--outage: " + o.status().message());
      outage = *o;
    }
    auto phases = loadgen::NamedProfile(f.profile, *d, outage);
    if (!phases.ok()) return InvalidArgument("--profile: " + phases.status().message());
    s.phases = std::move(*phases);
    s.profile = f.profile;
  }
  Status valid = loadgen::Validate(&s);
  if (!valid.ok()) return valid;
  return s;
}

using Progress = std::string (*)(const loadgen::RunStats&, const loadgen::RunStats&, double,
                                 double);

// Runs `run` on a thread while this one shows the progress line (rewritten in place on a
// terminal, a line every 5 s in a log) and turns Ctrl-C into `stop`.
Status RunWatched(const std::function<Status()>& run, const std::function<void()>& stop,
                  const std::function<loadgen::RunStats()>& snapshot,
                  const std::function<double()>& elapsed, Progress progress, bool quiet) {
  Status result = Status::Ok();
  std::thread worker([&] { result = run(); });
  const bool tty = isatty(STDERR_FILENO) == 1;
  std::atomic<bool> done{false};
  std::thread watch([&] {
    loadgen::RunStats before;
    double before_s = 0;
    int ticks = 0;
    bool stop_sent = false;
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (StopRequested().load() && !stop_sent) {
        stop_sent = true;
        std::fprintf(stderr, "%sstopping: nothing more starts, what runs ends now\n",
                     tty ? "\n" : "");
        stop();
      }
      if (++ticks % 10 != 0 || quiet) continue;
      const loadgen::RunStats now = snapshot();
      const double t = elapsed();
      const std::string line = progress(now, before, t, t - before_s);
      if (tty) {
        std::fprintf(stderr, "\r%s\033[K", line.c_str());
      } else if (ticks % 50 == 0) {
        std::fprintf(stderr, "%s\n", line.c_str());
      }
      if (tty || ticks % 50 == 0) {
        before = now;
        before_s = t;
      }
    }
  });
  worker.join();
  done = true;
  watch.join();
  if (tty && !quiet) std::fprintf(stderr, "\n");
  return result;
}

// The results where --json and --report ask for them.
void WriteResults(const nlohmann::json& j, const std::string& json_path,
                  const std::string& report_path, const std::string& title) {
  if (json_path == "-") {
    std::printf("%s\n", j.dump().c_str());
  } else if (!json_path.empty()) {
    std::ofstream(json_path) << j.dump(1) << "\n";
  }
  if (!report_path.empty()) {
    std::ofstream out(report_path);
    out << loadgen::ReportHtml(j, title);
    if (!out) {
      Logger("loadgen")->error("could not write the report {}", report_path);
    } else {
      std::fprintf(stderr, "report: %s\n", report_path.c_str());
    }
  }
}

int RunDevices(DevicesFlags& f) {
  auto scenario = ScenarioOf(f);
  if (!scenario.ok()) {
    Logger("loadgen")->error("{}", scenario.status().message());
    return 2;
  }
  auto mix = loadgen::ParseMix(f.mix, f.regions);
  if (!mix.ok()) {
    Logger("loadgen")->error("{}", mix.status().message());
    return 2;
  }
  f.config.scenario = std::move(*scenario);
  f.config.mix = std::move(*mix);
  // A fleet: this process's share of the schedule, and the instant every process starts.
  std::unique_ptr<loadgen::Fleet> fleet;
  if (!f.nats.empty()) {
    loadgen::FleetConfig fc;
    fc.nats_url = f.nats;
    fc.run = f.fleet_run.empty() ? f.config.scenario.event : f.fleet_run;
    fc.size = f.fleet;
    std::fprintf(stderr, "onair loadgen devices: waiting for %zu load generators on %s (run %s)\n",
                 fc.size, f.nats.c_str(), fc.run.c_str());
    auto joined = loadgen::Fleet::Join(fc, &SystemClock::Instance());
    if (!joined.ok()) {
      Logger("loadgen")->error("{}", joined.status().message());
      return 2;
    }
    fleet = std::move(*joined);
    f.config.worker = fleet->worker();
    f.config.workers = fleet->workers();
  }
  loadgen::DevicesRun run(f.config, &SystemClock::Instance());
  Status bounds = loadgen::CheckBounds(f.config.scenario, run.schedule());
  if (!bounds.ok()) {
    Logger("loadgen")->error("{}", bounds.message());
    return 2;
  }
  std::fprintf(stderr, "onair loadgen devices: %s\n", run.Plan().c_str());
  const UtcMicros start = fleet ? fleet->start() : 0;
  Status result = RunWatched([&] { return run.Run(start); }, [&] { run.Stop(); },
                             [&] { return run.Snapshot(); }, [&] { return run.elapsed_s(); },
                             loadgen::ProgressLine, f.quiet);
  if (!result.ok()) {
    Logger("loadgen")->error("{}", result.message());
    return 1;
  }
  loadgen::RunStats stats = run.Snapshot();
  const double elapsed = run.elapsed_s();
  size_t missing = 0;
  if (fleet) {
    // This process's share, then the fleet's: one summary.
    std::fprintf(stderr, "this process (%zu of %zu):\n%s", fleet->worker() + 1, fleet->workers(),
                 stats.SummaryText(elapsed).c_str());
    if (Status sent = fleet->Publish(stats); !sent.ok()) {
      Logger("loadgen")->error("could not publish this process's results: {}", sent.message());
    }
    stats = fleet->Gather(60'000, &missing);
    std::fprintf(stderr, "the fleet (%zu load generators%s):\n", fleet->workers(),
                 missing ? (", " + std::to_string(missing) + " of them missing").c_str() : "");
  }
  std::fprintf(stderr, "%s", stats.SummaryText(elapsed).c_str());
  if (!f.json_path.empty() || !f.report_path.empty()) {
    nlohmann::json j = stats.ToJson(elapsed);
    j["plan"] = run.Plan();
    j["start_us"] = run.start();
    if (fleet) {
      j["fleet"] = {
          {"workers", fleet->workers()}, {"worker", fleet->worker()}, {"missing", missing}};
    }
    j["scenario"] = {{"target", f.config.scenario.target},
                     {"event", f.config.scenario.event},
                     {"peak", f.config.scenario.peak},
                     {"profile", f.config.scenario.profile},
                     {"duration_s", static_cast<double>(f.config.scenario.duration_us()) / 1e6},
                     {"sessions_planned", run.schedule().sessions.size()},
                     {"peak_rate", run.schedule().peak_rate}};
    j["stopped"] = StopRequested().load();
    WriteResults(j, f.json_path, f.report_path,
                 "onair loadgen devices: " + f.config.scenario.event + " (" +
                     (f.config.scenario.profile.empty() ? "scenario" : f.config.scenario.profile) +
                     ")");
  }
  return 0;
}

struct ReplayFlags {
  std::vector<std::string> logs;
  std::string speed = "100%", sample = "100%", event, target, mix, regions, json_path,
              max_duration = "24h";
  std::vector<std::string> hosts, services;
  int64_t max_requests = 10'000'000;
  std::string report_path;
  bool quiet = false;
  loadgen::ReplayConfig config;
};

StatusOr<loadgen::ReplayConfig> ReplayConfigOf(ReplayFlags& f, loadgen::DeviceMix* mix) {
  loadgen::ReplayConfig c = f.config;
  auto speed = loadgen::ParseShare(f.speed);
  if (!speed.ok()) return InvalidArgument("--speed: " + speed.status().message());
  auto sample = loadgen::ParseShare(f.sample);
  if (!sample.ok()) return InvalidArgument("--sample: " + sample.status().message());
  if (*sample > 1) return InvalidArgument("--sample: at most 100%");
  c.speed = *speed;
  c.sample = *sample;
  auto d = loadgen::ParseDuration(f.max_duration);
  if (!d.ok()) return InvalidArgument("--max-duration: " + d.status().message());
  c.max_duration_us = *d;
  if (!f.event.empty() && !IsSafeName(f.event)) {
    return InvalidArgument("--event: '" + f.event + "' is not a name of [a-zA-Z0-9_-]");
  }
  c.rewrites.event = f.event;
  for (const std::string& h : f.hosts) {
    auto m = loadgen::ParseMapping(h);
    if (!m.ok()) return InvalidArgument("--host: " + m.status().message());
    c.rewrites.hosts.push_back(*m);
  }
  for (const std::string& h : f.services) {
    auto m = loadgen::ParseMapping(h);
    if (!m.ok()) return InvalidArgument("--to: " + m.status().message());
    c.rewrites.services.push_back(*m);
  }
  if (!f.target.empty()) {
    auto m = loadgen::ParseMapping("any=" + f.target);
    if (!m.ok()) return InvalidArgument("--target: " + f.target + " is not an http(s) URL");
    c.rewrites.fallback = m->second;
  }
  if (!f.mix.empty() || !f.regions.empty()) {
    auto parsed = loadgen::ParseMix(f.mix.empty() ? "tv=30,phone=45,browser=25" : f.mix, f.regions);
    if (!parsed.ok()) return parsed.status();
    *mix = std::move(*parsed);
    c.rewrites.play_body = [mix, seed = c.seed](uint64_t n) {
      return player::DeviceJson(loadgen::DrawDevice(*mix, seed, n));
    };
  }
  return c;
}

int RunReplay(ReplayFlags& f) {
  loadgen::DeviceMix mix;
  auto config = ReplayConfigOf(f, &mix);
  if (!config.ok()) {
    Logger("loadgen")->error("{}", config.status().message());
    return 2;
  }
  // The logs of several services (the playback service's, the edges'), merged by time.
  std::vector<loadgen::ReplayLog> logs;
  for (const std::string& path : f.logs) {
    std::ifstream in(path);
    if (!in) {
      Logger("loadgen")->error("cannot read {}", path);
      return 2;
    }
    auto log = loadgen::ReadReplayLog(in, static_cast<size_t>(f.max_requests));
    if (!log.ok()) {
      Logger("loadgen")->error("{}: {}", path, log.status().message());
      return 2;
    }
    logs.push_back(std::move(*log));
  }
  auto merged = loadgen::MergeReplayLogs(std::move(logs), static_cast<size_t>(f.max_requests));
  if (!merged.ok()) {
    Logger("loadgen")->error("{}", merged.status().message());
    return 2;
  }
  loadgen::ReplayRun run(*config, std::move(*merged), &SystemClock::Instance());
  if (Status bounds = run.CheckBounds(); !bounds.ok()) {
    Logger("loadgen")->error("{}", bounds.message());
    return 2;
  }
  std::fprintf(stderr, "onair loadgen replay: %s\n", run.Plan().c_str());
  Status result =
      RunWatched([&] { return run.Run(); }, [&] { run.Stop(); }, [&] { return run.Snapshot(); },
                 [&] { return run.elapsed_s(); }, loadgen::ReplayProgressLine, f.quiet);
  if (!result.ok()) {
    Logger("loadgen")->error("{}", result.message());
    return 1;
  }
  const loadgen::RunStats stats = run.Snapshot();
  const double elapsed = run.elapsed_s();
  std::fprintf(stderr, "%s", loadgen::ReplaySummary(stats, elapsed).c_str());
  if (!f.json_path.empty() || !f.report_path.empty()) {
    nlohmann::json j = stats.ToJson(elapsed);
    j["plan"] = run.Plan();
    j["replay"] = {{"logs", f.logs},
                   {"speed", config->speed},
                   {"sample", config->sample},
                   {"requests_planned", run.requests()},
                   {"duration_s", static_cast<double>(run.duration_us()) / 1e6},
                   {"peak_rate", run.peak_rate()}};
    j["stopped"] = StopRequested().load();
    WriteResults(j, f.json_path, f.report_path, "onair loadgen replay");
  }
  return 0;
}

}  // namespace

std::function<int()> AddLoadgenCommand(CLI::App& app) {
  auto f = std::make_shared<DevicesFlags>();
  CLI::App* cmd = app.add_subcommand(
      "loadgen", "Synthetic load: virtual devices on a profile, or a request log replayed");
  cmd->require_subcommand(1);
  CLI::App* d = cmd->add_subcommand(
      "devices", "Virtual devices running the real playback flow against a playback service");
  d->add_option("--scenario", f->scenario_file, "a scenario file (docs/loadgen.md); flags win");
  d->add_option("--target", f->target, "the playback service, e.g. http://127.0.0.1:8082");
  d->add_option("--event", f->event, "the event's name");
  d->add_option("--profile", f->profile, "ramp, flash-crowd, hold or retry-storm");
  d->add_option("--duration", f->duration, "of the run: 120, 90s, 5m");
  d->add_option("--outage", f->outage, "retry-storm: the interruption (default 30 s)");
  d->add_option("--peak", f->peak, "concurrent viewers at 100 %")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  d->add_option("--max-sessions", f->max_sessions, "bound on sessions started (default 4 x peak)")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}));
  d->add_option("--max-rate", f->max_rate, "bound on starts in any second (default 20000)")
      ->check(CLI::Range(0.001, 1e7));
  d->add_option("--mix", f->mix, "device kinds by weight: tv=30,phone=45,browser=25");
  d->add_option("--regions", f->regions, "regions viewers play from: eu,us");
  d->add_option("--threads", f->config.threads, "event loops (default: one per core)")
      ->check(CLI::Range(0, 256));
  d->add_option("--seed", f->config.seed, "the devices drawn and their jitter")
      ->capture_default_str();
  d->add_flag(
      "--lowest-rung", [f](int64_t) { f->config.lowest_rung = true; },
      "every viewer on the smallest rung (no ABR)");
  d->add_flag(
      "--no-audio", [f](int64_t) { f->config.audio = false; }, "video only");
  d->add_flag(
      "--no-steering", [f](int64_t) { f->config.steering = false; }, "do not reload steering");
  d->add_flag(
      "--no-qoe", [f](int64_t) { f->config.qoe = false; }, "post no QoE events");
  d->add_option("--events-url", f->config.events_url,
                "where QoE events go (default: the target's /v1/events)");
  d->add_option("--events-interval-ms", f->config.events_interval_ms, "heartbeat and post interval")
      ->check(CLI::Range(int64_t{100}, int64_t{600'000}))
      ->capture_default_str();
  d->add_option("--target-latency-ms", f->config.target_latency_ms, "default: the manifest's")
      ->check(CLI::Range(int64_t{200}, int64_t{120'000}));
  d->add_option("--connections", f->config.connections_per_loop,
                "keep-alive connections per loop to the playback service")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  d->add_option("--segments", f->config.segments_per_track,
                "a session ends after N media segments of each track (a play start's whole "
                "flow, timed as 'flow'; default: at its scheduled end)")
      ->check(CLI::Range(0, 1'000'000));
  d->add_option("--json", f->json_path, "write the results as JSON to FILE ('-': stdout)");
  d->add_flag("--quiet", f->quiet, "no progress line");
  d->add_option("--report", f->report_path, "write an HTML report with charts to FILE");
  d->add_option("--nats", f->nats,
                "a fleet of load generators over NATS (nats://host:4222): with --fleet N, each "
                "takes its share and all start at once; one summary");
  d->add_option("--fleet", f->fleet, "processes in the fleet (with --nats)")
      ->check(CLI::Range(size_t{1}, size_t{10'000}))
      ->capture_default_str();
  d->add_option("--fleet-run", f->fleet_run, "the fleet's name on NATS (default: the event)");
  auto r = std::make_shared<ReplayFlags>();
  CLI::App* rp = cmd->add_subcommand(
      "replay", "A request log (--request-log of any service) sent again, with rewrites");
  rp->add_option("logs", r->logs, "request logs (JSON lines), merged by time")->required();
  rp->add_option("--speed", r->speed, "200% (or 2): the recorded gaps halved")
      ->capture_default_str();
  rp->add_option("--sample", r->sample, "the share of viewers replayed: 10% (or 0.1)")
      ->capture_default_str();
  rp->add_option("--event", r->event, "the event's name in paths and bodies, instead of the log's");
  rp->add_option("--host", r->hosts, "FROM=URL: requests the log has for host FROM go to URL");
  rp->add_option("--to", r->services,
                 "SERVICE=URL: requests a service logged go to URL (edge=http://...)");
  rp->add_option("--target", r->target, "where every other request goes (default: its host)");
  rp->add_option("--mix", r->mix, "play starts get devices drawn from: tv=30,phone=45,browser=25");
  rp->add_option("--regions", r->regions, "with --mix: regions viewers play from");
  rp->add_option("--seed", r->config.seed, "the sample and the devices drawn")
      ->capture_default_str();
  rp->add_option("--threads", r->config.threads, "event loops (default: one per core)")
      ->check(CLI::Range(0, 256));
  rp->add_option("--connections", r->config.connections_per_loop,
                 "keep-alive connections per loop and destination")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  rp->add_option("--max-requests", r->max_requests, "bound on the log's requests")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}))
      ->capture_default_str();
  rp->add_option("--max-rate", r->config.max_rate, "bound on requests due in any second")
      ->check(CLI::Range(0.001, 1e7))
      ->capture_default_str();
  rp->add_option("--max-duration", r->max_duration, "bound on the replay's length")
      ->capture_default_str();
  rp->add_option("--timeout-ms", r->config.timeout_ms, "a request's whole answer")
      ->check(CLI::Range(int64_t{100}, int64_t{600'000}))
      ->capture_default_str();
  rp->add_option("--json", r->json_path, "write the results as JSON to FILE ('-': stdout)");
  rp->add_flag("--quiet", r->quiet, "no progress line");
  rp->add_option("--report", r->report_path, "write an HTML report with charts to FILE");
  auto report = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* rep = cmd->add_subcommand(
      "report", "The HTML report of a run's --json results, written again (to share, or later)");
  rep->add_option("results", report->first, "a run's --json file")->required();
  rep->add_option("--out", report->second, "the HTML file")->required();
  return [f, d, r, rp, report, rep]() -> int {
    if (d->parsed()) return RunDevices(*f);
    if (rp->parsed()) return RunReplay(*r);
    if (rep->parsed()) {
      std::ifstream in(report->first);
      const auto j = nlohmann::json::parse(in, nullptr, false);
      if (!in.good() && !in.eof()) {
        Logger("loadgen")->error("cannot read {}", report->first);
        return 2;
      }
      if (!j.is_object() || !j.contains("seconds_columns")) {
        Logger("loadgen")->error("{}: not the --json results of onair loadgen", report->first);
        return 2;
      }
      const bool replay = j.contains("replay");
      WriteResults(j, "", report->second,
                   replay ? "onair loadgen replay"
                          : "onair loadgen devices: " +
                                j.value("scenario", nlohmann::json::object()).value("event", ""));
      return 0;
    }
    return -1;
  };
}

}  // namespace onair::app
