// The hosted port's cost model: how much virtual time each kernel action
// costs. This is the one place the numbers live; see sim/machine/cost_model.cc for
// where each comes from and docs/cost-model.md for how to calibrate them.
#pragma once

#include "kernel/cost_model.h"

namespace axl::sim {

CostModel default_cost_model();

}  // namespace axl::sim
