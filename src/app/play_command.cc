#include "app/play_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "app/signals.h"
#include "core/log.h"
#include "player/player.h"

namespace onair::app {

std::function<int()> AddPlayCommand(CLI::App& app) {
  auto c = std::make_shared<player::PlayerConfig>();
  auto summary_path = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "play", "Play an event headless from the playback service, report what a viewer saw");
  cmd->add_option("service", c->service, "the playback service, e.g. http://127.0.0.1:8082");
  cmd->add_option("event", c->event, "the event's name");
  cmd->add_option("--mpd", c->mpd_url,
                  "play this live DASH manifest (GET) instead of asking a playback service");
  cmd->add_option_function<std::string>(
         "--latency-from", [c](const std::string& v) { c->capture_from_ast = v == "ast"; },
         "capture time of a frame: prft (its chunk's box) or ast (AST + media time, for "
         "encoders whose prft is their muxing time)")
      ->check(CLI::IsMember({"prft", "ast"}))
      ->default_str("prft");
  cmd->add_option_function<double>(
         "--duration", [c](double s) { c->duration_us = static_cast<int64_t>(s * 1e6); },
         "seconds to play from the first frame; default: until Ctrl-C")
      ->check(CLI::Range(0.0, 1e7));
  cmd->add_option("--target-latency-ms", c->target_latency_ms,
                  "latency to hold; default: the manifest's")
      ->check(CLI::Range(int64_t{200}, int64_t{120'000}));
  cmd->add_option("--device-id", c->device.id, "default: the session id");
  cmd->add_option("--device-type", c->device.type, "tv, phone, tablet, desktop, browser, stb, ...")
      ->capture_default_str();
  cmd->add_option("--codecs", c->device.codecs, "codecs the device decodes (avc, hevc)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--max-width", c->device.max_width, "screen width")->capture_default_str();
  cmd->add_option("--max-height", c->device.max_height, "screen height")->capture_default_str();
  cmd->add_option("--max-bitrate", c->device.max_bitrate, "bits/s the device takes at most")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000'000}));
  cmd->add_option("--region", c->device.region, "where the device plays from");
  cmd->add_flag(
      "--no-decode", [c](int64_t) { c->decode = false; },
      "do not decode segments (load generation)");
  cmd->add_flag(
      "--no-audio", [c](int64_t) { c->audio = false; }, "video only");
  cmd->add_option("--events-interval-ms", c->events_interval_ms,
                  "how often QoE events are posted to /v1/events")
      ->check(CLI::Range(int64_t{100}, int64_t{600'000}))
      ->capture_default_str();
  cmd->add_option("--summary-json", *summary_path,
                  "write the summary as JSON to FILE ('-': stdout)");
  cmd->add_flag("--quiet", *quiet, "no live status line");
  return [c, cmd, summary_path, quiet]() -> int {
    if (!cmd->parsed()) return -1;
    if (c->mpd_url.empty() && (c->service.empty() || c->event.empty())) {
      Logger("play")->error("give the playback service and the event, or --mpd URL");
      return 2;
    }
    if (!c->mpd_url.empty() && c->event.empty()) c->event = "live";
    player::Player player(*c, &SystemClock::Instance());
    Status result = Status::Ok();
    std::thread run([&] { result = player.Run(); });
    // The status line: rewritten in place on a terminal, a line every 5 s in a log.
    const bool tty = isatty(STDERR_FILENO) == 1;
    std::atomic<bool> done{false};
    std::thread watch([&] {
      int ticks = 0;
      while (!done.load()) {
        if (StopRequested().load()) player.Stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (*quiet) continue;
        if (tty && ++ticks % 5 == 0) {
          std::fprintf(stderr, "\r%s\033[K", player.StatusLine().c_str());
        } else if (!tty && ++ticks % 50 == 0) {
          std::fprintf(stderr, "%s\n", player.StatusLine().c_str());
        }
      }
    });
    run.join();
    done = true;
    watch.join();
    if (tty && !*quiet) std::fprintf(stderr, "\n");
    const player::QoeSummary s = player.Summary();
    std::fprintf(stderr, "%s", s.ToText().c_str());
    if (*summary_path == "-") {
      std::printf("%s\n", s.ToJson().c_str());
    } else if (!summary_path->empty()) {
      std::ofstream(*summary_path) << s.ToJson() << "\n";
    }
    if (!result.ok()) {
      Logger("play")->error("{}", result.message());
      return 1;
    }
    return 0;
  };
}

}  // namespace onair::app
