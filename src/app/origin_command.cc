#include "app/origin_command.h"

#include <chrono>
#include <memory>

#include "app/serve.h"
#include "origin/origin.h"

namespace onair::app {

std::function<int()> AddOriginCommand(CLI::App& app) {
  auto c = std::make_shared<origin::OriginConfig>();
  c->service.listen.host = "0.0.0.0";
  c->service.listen.port = 8080;
  CLI::App* cmd = app.add_subcommand(
      "origin", "Serve live events from pipelines A and B to edges (redundant live origin)");
  auto flags = AddServiceFlags(cmd, c->service);
  cmd->add_option("--data-dir", c->data_dir,
                  "durable storage for segments out of the memory window and for restarts "
                  "(empty: memory only)");
  cmd->add_option("--event", c->event_files, "event config file to serve (repeatable)");
  cmd->add_option("--pipeline-token", c->pipeline_token, "token pipelines must present to write");
  cmd->add_flag("--no-auth", c->no_auth, "accept writes without a token (closed test networks)");
  cmd->add_option("--max-segment-bytes", c->max_body_bytes, "largest accepted upload")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-header-bytes", c->service.header_limit, "largest accepted request header")
      ->check(CLI::Range(1024, 1 << 20))
      ->capture_default_str();
  auto ms_option = [cmd](const std::string& name, std::chrono::milliseconds* value,
                         const std::string& what) {
    cmd->add_option_function<int64_t>(
           name, [value](int64_t ms) { *value = std::chrono::milliseconds(ms); }, what)
        ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
        ->default_str(std::to_string(value->count()));
  };
  ms_option("--header-timeout-ms", &c->service.header_timeout,
            "time a client has to send a whole request header (slow clients are cut)");
  ms_option("--body-timeout-ms", &c->service.body_timeout,
            "longest pause between bytes of an upload before it is aborted");
  ms_option("--send-timeout-ms", &c->service.send_timeout,
            "longest a reader may leave the origin's bytes unread before it is cut");
  constexpr int kLive = static_cast<int>(service::Priority::kLive);
  constexpr int kCatchUp = static_cast<int>(service::Priority::kCatchUp);
  cmd->add_option("--max-live-reads", c->service.admission.max_in_flight[kLive],
                  "live-edge reads in flight beyond which reads get 503")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--max-dvr-reads", c->service.admission.max_in_flight[kCatchUp],
                  "DVR (catch-up) reads in flight beyond which they get 503")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  return [c, cmd, flags]() -> int {
    if (!cmd->parsed()) return -1;
    return PrepareAndServe<origin::Origin>(*flags, *c, "origin");
  };
}

}  // namespace onair::app
