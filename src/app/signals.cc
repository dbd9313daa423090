#include "app/signals.h"

#include <csignal>

namespace onair::app {

namespace {
std::atomic<bool> g_stop{false};
std::atomic<int> g_signals{0};
extern "C" void OnStopSignal(int) {
  g_signals.fetch_add(1);
  g_stop = true;
}
}  // namespace

void InstallStopSignals() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGPIPE, SIG_IGN);
}

const std::atomic<bool>& StopRequested() { return g_stop; }

int StopSignals() { return g_signals.load(); }

}  // namespace onair::app
