// Scales each picture to a rung's size (media::Scaler) before the next stage.
#pragma once

#include "media/scaler.h"
#include "pipeline/stage.h"

namespace onair::pipeline {

class ScaleStage final : public FrameStage {
 public:
  ScaleStage(int width, int height, FrameStage* next) : scaler_(width, height), next_(next) {}
  Status Process(const Slot& slot) override {
    auto scaled = scaler_.Scale(slot.frame);
    if (!scaled.ok()) return scaled.status();
    return next_->Process(Slot{*scaled, slot.index, slot.no_input});
  }
  Status Flush() override { return next_->Flush(); }

 private:
  media::Scaler scaler_;
  FrameStage* next_;
};

}  // namespace onair::pipeline
