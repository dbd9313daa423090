// Ctrl-C and SIGTERM ask every running service to stop cleanly.
#pragma once

#include <atomic>

namespace onair::app {

void InstallStopSignals();
const std::atomic<bool>& StopRequested();

}  // namespace onair::app
